"""What the JSON API accepts and returns (marshmallow schemas, documented in OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..inputs import MAX_ID
from ..services.intake import MAX_QUANTITY, QUANTITY_ASK_ABOVE, WEIGHT_PER
from ..models.outcome import RETURN_REASONS
from ..models.item import GRADES, STATUSES

# An id the database can hold: beyond it, a field error rather than a failure deep down.
ID = validate.Range(min=1, max=MAX_ID)


class DonationSchema(Schema):
    """One donated item, as the intake form or the offline outbox sends it."""

    client_uuid = fields.UUID(required=True, metadata={"description": "Made by the device; replaying it never makes a second item."})
    category_id = fields.Integer(required=True, validate=ID)
    weight_kg = fields.Decimal(required=True, places=3, validate=validate.Range(min=0, min_inclusive=False),
                               metadata={"description": "The scale reading in kg; the container's tare is taken off."})
    container_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    collection_point_id = fields.Integer(required=True, validate=ID)
    source_id = fields.Integer(load_default=None, allow_none=True, validate=ID,
                               metadata={"description": "null: a private donor."})
    brand = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    model = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    serial_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20),
                         metadata={"description": "The code of a pre-printed label to bind; omit to draw a new code."})
    weight_confirmed = fields.Boolean(load_default=False, metadata={
        "description": "The weight is outside the category's plausible range and the person confirmed it; "
                       "without it such a weight is refused (422) with the question to ask."})


class BatchDonationSchema(DonationSchema):
    """Many identical items in one intake (50 phones from one operator): each gets its own code."""

    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    weight_per = fields.String(load_default="item", validate=validate.OneOf(WEIGHT_PER), metadata={
        "description": "`item`: weight_kg is each item's; `total`: the lot's, shared out to the gram."})
    quantity_confirmed = fields.Boolean(load_default=False, metadata={
        "description": f"Above {QUANTITY_ASK_ABOVE} items the person confirms the number; without it such an "
                       "intake is refused (422) with the question to ask."})


class AmendmentSchema(Schema):
    """A correction of a logged item: only the fields to change. Send the item's ETag as If-Match."""

    category_id = fields.Integer(validate=ID)
    weight_kg = fields.Decimal(places=3, validate=validate.Range(min=0, min_inclusive=False),
                               metadata={"description": "The net weight in kg."})
    tare_kg = fields.Decimal(places=3, validate=validate.Range(min=0),
                             metadata={"description": "Alone, it keeps the scale reading and changes the net weight."})
    grade = fields.String(validate=validate.OneOf(GRADES))
    source_id = fields.Integer(allow_none=True, validate=ID, metadata={"description": "null: a private donor."})
    collection_point_id = fields.Integer(validate=ID)
    brand = fields.String(allow_none=True, validate=validate.Length(max=120))
    model = fields.String(allow_none=True, validate=validate.Length(max=120))
    serial_number = fields.String(allow_none=True, validate=validate.Length(max=120))
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                           metadata={"description": "Why: required from coordinators."})
    weight_confirmed = fields.Boolean(load_default=False)


class NamedSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class EventSchema(Schema):
    kind = fields.String()
    data = fields.Function(lambda event: event.data if event.kind == "amended" else None, allow_none=True,
                           metadata={"description": "For a correction: the fields changed, old and new values."})
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    minutes = fields.Integer(allow_none=True)
    parts = fields.String(allow_none=True)
    at = fields.DateTime()
    user = fields.Function(lambda event: event.user.name if event.user else None)
    collection_point = fields.Nested(NamedSchema, allow_none=True)


class ItemSchema(Schema):
    code = fields.String()
    url = fields.Method("item_url")
    client_uuid = fields.UUID()
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = fields.Nested(NamedSchema)
    weight_kg = fields.Float()
    grade = fields.String()
    brand = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    serial_number = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    source = fields.Nested(NamedSchema, allow_none=True)
    collection_point = fields.Nested(NamedSchema)
    created_at = fields.DateTime()
    tare_kg = fields.Float()
    version = fields.Integer(metadata={"description": "Also the ETag: send it as If-Match to correct the item."})
    amended_at = fields.DateTime(allow_none=True)
    has_photo = fields.Function(lambda item: item.photo is not None)

    def item_url(self, item) -> str:
        from ..web.urls import item_url

        return item_url(item.code)


class BatchSchema(Schema):
    quantity = fields.Function(lambda registration: len(registration.items))
    items = fields.List(fields.Nested(ItemSchema), metadata={"description": "In the order of their labels."})


class ItemWithHistorySchema(ItemSchema):
    events = fields.List(fields.Nested(EventSchema))


class CategorySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    family = fields.String()
    icon = fields.String(allow_none=True)
    data_bearing = fields.Boolean()
    default_weight_kg = fields.Float(allow_none=True)
    deee_category = fields.String(allow_none=True)


class CollectionPointSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    organisation = fields.Nested(NamedSchema, allow_none=True)
    territory = fields.Nested(NamedSchema, allow_none=True)


class OrganisationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class ContainerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    tare_kg = fields.Float()


class TransitionSchema(Schema):
    """Move an item along its life."""

    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    seen_status = fields.String(load_default=None, data_key="from", validate=validate.OneOf(STATUSES),
                                metadata={"description": "The status the client last saw; refused (409) if it moved since."})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=24 * 60))
    parts = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    barrier = fields.String(load_default=None, allow_none=True,
                            metadata={"description": "ORDS repair barrier, when the item is given up."})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RETURN_REASONS),
                           metadata={"description": "Why a sold or handed-over item came back (to `returned`)."})


class CodeBlockRequestSchema(Schema):
    count = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class CodeBlockSchema(Schema):
    """Codes entered in the register as pre-printed: an intake binds each one once."""

    codes = fields.List(fields.String())
