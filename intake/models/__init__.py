"""The data model, one module per aggregate."""

from .category import Category
from .erasure import Erasure
from .item import Container, Item, ItemEvent, Photo
from .label import IssuedCode
from .outcome import AccompanimentSession, Handover, LandlordAccess, RecyclingBatch, Sale, TenantIdentity
from .organisation import CategoryPosition, CollectionPoint, Organisation, Territory
from .reporting import ImpactFactor, LeadTime, WasteShipment
from .structure import Structure
from .user import ApiToken, User

__all__ = [
    "AccompanimentSession",
    "Handover",
    "LandlordAccess",
    "RecyclingBatch",
    "Sale",
    "TenantIdentity",
    "ApiToken",
    "Category",
    "CategoryPosition",
    "CollectionPoint",
    "Container",
    "Erasure",
    "ImpactFactor",
    "IssuedCode",
    "Item",
    "ItemEvent",
    "LeadTime",
    "Organisation",
    "Photo",
    "Structure",
    "Territory",
    "User",
    "WasteShipment",
]
