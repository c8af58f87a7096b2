"""The data model, one module per aggregate."""

import sqlalchemy as sa

from ..extensions import db
from ..scoping import enable_row_level_security, install_orm_wall

from .aftersales import FaultTicket, FaultTicketStep
from .category import Category
from .erasure import Erasure
from .item import Container, Item, ItemEvent, Photo
from .label import IssuedCode
from .lot import Lot, LotExit, LotStock
from .outcome import AccompanimentSession, Handover, LandlordAccess, RecyclingBatch, Sale, TenantIdentity
from .organisation import CategoryPosition, CollectionPoint, Organisation, Territory
from .partnership import ContactPerson, Convention, ConventionVolume, PartnerEvent
from .people import (Attendance, BroughtItem, Member, MemberFee, MemberIdentity, Person, PersonIdentity,
                     PersonSkill, Skill, VolunteerHours, WorkshopSession)
from .reporting import ImpactFactor, LeadTime, LeadTimeTally, WasteShipment
from .base import StructureScoped
from .structure import Membership, Network, NetworkCoordinator, NetworkMember, Structure
from .tallies import BatchContent, CategoryUsage, IntakeQuality, IntakeTally, SaleTally, StatusCount
from .user import ApiToken, User
from .till import TillChain, TillLine, TillMethod, TillPayment, TillSale, TillSession

__all__ = [
    "FaultTicket",
    "FaultTicketStep",
    "AccompanimentSession",
    "Handover",
    "LandlordAccess",
    "RecyclingBatch",
    "Sale",
    "TenantIdentity",
    "ApiToken",
    "Category",
    "CategoryPosition",
    "CategoryUsage",
    "StatusCount",
    "IntakeTally",
    "IntakeQuality",
    "SaleTally",
    "BatchContent",
    "LeadTimeTally",
    "CollectionPoint",
    "ContactPerson",
    "Container",
    "Convention",
    "ConventionVolume",
    "Erasure",
    "ImpactFactor",
    "IssuedCode",
    "Item",
    "ItemEvent",
    "LeadTime",
    "Organisation",
    "PartnerEvent",
    "Photo",
    "Membership",
    "Network",
    "NetworkCoordinator",
    "NetworkMember",
    "Structure",
    "Territory",
    "User",
    "WasteShipment",
    "Lot",
    "LotExit",
    "LotStock",
    "TillChain",
    "TillLine",
    "TillMethod",
    "TillPayment",
    "TillSale",
    "TillSession",
    # people
    "Attendance", "BroughtItem", "Member", "MemberFee", "MemberIdentity", "Person", "PersonIdentity",
    "PersonSkill", "Skill", "VolunteerHours", "WorkshopSession",
]


def scoped_tables() -> list[str]:
    """The tables behind the structure wall (every ``StructureScoped`` model's)."""
    return sorted(mapper.local_table.name for mapper in db.Model.registry.mappers
                  if issubclass(mapper.class_, StructureScoped))


def _row_level_security(metadata, connection, **_) -> None:
    # The schema made without migrations (tests) gets the same second wall as a migrated one.
    enable_row_level_security(connection, scoped_tables())


sa.event.listen(db.metadata, "after_create", _row_level_security)
install_orm_wall(StructureScoped)
