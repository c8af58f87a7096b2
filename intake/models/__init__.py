"""The data model, one module per aggregate."""

from .category import Category
from .item import Container, Item, ItemEvent, Photo
from .organisation import CollectionPoint, Organisation, Territory
from .user import ApiToken, User

__all__ = [
    "ApiToken",
    "Category",
    "CollectionPoint",
    "Container",
    "Item",
    "ItemEvent",
    "Organisation",
    "Photo",
    "Territory",
    "User",
]
