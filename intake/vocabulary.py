"""What the stored codes are called in the interface (French by default, through Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from . import language

VOCABULARY = {
    "role": {
        "volunteer": _l("Volunteer"),
        "technician": _l("Technician"),
        "coordinator": _l("Coordinator"),
        "landlord": _l("Social landlord"),
        "eco_organism": _l("Eco-organism"),
    },
    "organisation_kind": {
        "association": _l("Association"),
        "social_landlord": _l("Social landlord"),
        "eco_organism": _l("Eco-organism"),
        "municipality": _l("Municipality"),
        "epci": _l("Inter-municipal body (EPCI)"),
        "department": _l("Department"),
        "region": _l("Region"),
        "regional_park": _l("Regional nature park"),
        "retailer": _l("Company or retailer"),
        "telecom_operator": _l("Telecom operator"),
        "public_service": _l("Public service (municipal police, La Poste)"),
        "insertion_workshop": _l("Insertion workshop"),
        "other": _l("Other"),
    },
    # Partnerships: where one stands, and what a line of a partner's timeline is.
    "pipeline_status": {
        "identified": _l("Identified"),
        "met": _l("Met"),
        "negotiating": _l("Negotiating"),
        "signed": _l("Convention signed"),
        "active": _l("Active"),
        "ended": _l("Ended"),
    },
    "partner_event": {
        "status": _l("Status"),
        "meeting": _l("Meeting"),
        "note": _l("Note"),
    },
    "zone_type": {
        "rural": _l("Rural"),
        "semi_urban": _l("Semi-urban"),
        "dense_urban": _l("Dense urban"),
    },
    "status": {
        "received": _l("Received"),
        "diagnosing": _l("Diagnosing"),
        "repairing": _l("Repairing"),
        "ready": _l("Ready"),
        "sold": _l("Sold"),
        "handed_over": _l("Handed over"),
        "returned": _l("Returned"),
        "to_recycle": _l("To recycle"),
        "recycled": _l("Recycled"),
        "dismantled": _l("Dismantled for parts"),
        "voided": _l("Voided (logged by mistake)"),
    },
    # The intake fields a correction may change, as the trail names them.
    "item_field": {
        "category_id": _l("Category"),
        "weight_kg": _l("Weight"),
        "tare_kg": _l("Tare"),
        "grade": _l("Condition"),
        "source_id": _l("Source"),
        "collection_point_id": _l("Collection point"),
        "brand": _l("Brand"),
        "model": _l("Model"),
        "serial_number": _l("Serial number"),
        "description": _l("Description"),
    },
    "grade": {
        "A": _l("Reuse as is"),
        "B": _l("To repair"),
        "C": _l("For parts"),
        "D": _l("Recycling"),
    },
    "family": {
        "electrical": _l("Electrical and electronic"),
        "textiles": _l("Textiles"),
        "furniture": _l("Furniture and decoration"),
        "books_media": _l("Books, CDs, DVDs"),
        "leisure": _l("Leisure"),
        "tools": _l("Tools"),
        "other": _l("Other"),
    },
    "deee_category": {
        "heat_exchange": _l("1. Heat exchange equipment"),
        "screens": _l("2. Screens and equipment with screens over 100 cm²"),
        "lamps": _l("3. Lamps"),
        "large": _l("4. Large equipment"),
        "small": _l("5. Small equipment"),
        "small_it_telecom": _l("6. Small IT and telecommunication equipment"),
        "pv_panels": _l("7. Photovoltaic panels"),
    },
    "barrier": {
        "Spare parts not available": _l("Spare parts not available"),
        "Spare parts too expensive": _l("Spare parts too expensive"),
        "No way to open the product": _l("No way to open the product"),
        "Repair information not available": _l("Repair information not available"),
        "Lack of equipment": _l("Lack of equipment"),
        "Item too worn out": _l("Item too worn out"),
    },
    "erasure_level": {
        "clear": _l("Clear (overwrite)"),
        "purge": _l("Purge (secure erase, cryptographic erase)"),
        "destroy": _l("Destroy (shredding, drilling)"),
    },
    "verification": {
        "passed": _l("Verified: passed"),
        "failed": _l("Verified: failed"),
    },
    # What came of a repair attempt (ORDS repair_status), said by the technician.
    "repair_outcome": {
        "fixed": _l("Repaired"),
        "repairable": _l("Repairable (more work needed)"),
        "end_of_life": _l("End of life"),
    },
    "sale_channel": {
        "shop": _l("Shop"),
        "online": _l("Online"),
        "event": _l("Event or market"),
        "partner": _l("Through a partner"),
    },
    "acceptance": {
        "signature": _l("Signature drawn on the phone"),
        "typed_name": _l("Name typed by the tenant"),
    },
    "return_reason": {
        "breakdown": _l("Breakdown"),
        "missing_part": _l("Missing part or accessory"),
        "does_not_suit": _l("Does not suit the person"),
        "other": _l("Other reason"),
    },
    # A recycling batch's stream (models/category.py): the WEEE flows, or other waste.
    "batch_stream": {
        "cooling": _l("WEEE · cooling appliances (GEM froid)"),
        "large": _l("WEEE · large appliances, not cooling (GEM hors froid)"),
        "small": _l("WEEE · small appliances mixed (PAM)"),
        "screens": _l("WEEE · screens"),
        "lamps": _l("WEEE · lamps"),
        "pv_panels": _l("WEEE · photovoltaic panels"),
        "other": _l("Other waste (textiles, furniture, metals…)"),
    },
    # How a basket is paid at the till (a coordinator adds others by name: models/till.py).
    "payment_method": {
        "cash": _l("Cash"),
        "card": _l("Card"),
        "cheque": _l("Cheque"),
        "transfer": _l("Bank transfer"),
    },
    # Where kg of goods counted by weight go (models/lot.py).
    "lot_exit": {
        "sold": _l("Sold by weight"),
        "given": _l("Given to another structure"),
        "recycled": _l("Sent to recycling"),
        "discarded": _l("Discarded as final waste"),
        "correction": _l("Stock correction"),
    },
    "batch_state": {
        "open": _l("Being filled"),
        "closed": _l("Handed to the eco-organism"),
    },
    # The public passport's word for where the item stands (services/passport.py).
    "stage": {
        "workshop": _l("Being checked and repaired in our workshop"),
        "returned": _l("Back in our workshop after a return, to be checked again"),
        "ready": _l("Checked and ready for a new owner"),
        "sold": _l("Sold second-hand"),
        "handed_over": _l("Handed over to a new user"),
        "to_recycle": _l("It could not be reused: it is waiting to go to recycling"),
        "recycled": _l("Recycled: handed to an approved channel"),
        "dismantled": _l("Dismantled: its parts are used to repair other items"),
        "voided": _l("This code is not in use"),
    },
    "event": {
        "received": _l("Received"),
        "status": _l("Status changed"),
        "checklist": _l("Checklist"),
        "erasure": _l("Data erasure"),
        "note": _l("Note"),
        "label_printed": _l("Label printed"),
        "photo": _l("Photo added"),
        "amended": _l("Corrected"),
        "voided": _l("Intake undone"),
        "aftersales": _l("After-sales"),
    },
    # After-sales (services/aftersales.py).
    "fault_source": {
        "landlord": _l("Social landlord"),
        "buyer": _l("Buyer"),
    },
    "ticket_state": {
        "open": _l("Reported, waiting for the workshop"),
        "accepted": _l("Back in the workshop for repair"),
        "replaced": _l("Replaced"),
        "closed": _l("Answered and closed"),
    },
    "ticket_step": {
        "reported": _l("Fault reported"),
        "accepted": _l("Taken back to the workshop"),
        "replaced": _l("Replaced by another device"),
        "closed": _l("Answered"),
    },
    # people
    "programme": {
        "aci": _l("Insertion workshop (ACI)"),
        "ei": _l("Insertion company (EI)"),
        "ai": _l("Intermediary association (AI)"),
        "etti": _l("Temporary work insertion company (ETTI)"),
        "other": _l("Other programme"),
    },
    "exit_outcome": {
        "cdi": _l("Permanent contract (CDI)"),
        "cdd_long": _l("Fixed-term contract, 6 months or more"),
        "cdd_short": _l("Fixed-term contract, under 6 months"),
        "training": _l("Qualifying training"),
        "other_job": _l("Other job (subsidised contract, interim, another IAE structure)"),
        "none": _l("No outcome"),
        "unknown": _l("Unknown"),
    },
    "fee_kind": {
        "join": _l("Joined"),
        "renewal": _l("Renewed"),
    },
}


# Names of codes in a catalogue, kept once translated (a page names a dozen codes; translating one through
# Flask-Babel costs tens of µs).
_NAMES: dict = {}


def term(kind: str, code: str | None) -> str:
    """The interface name of a stored code; the code itself if it has none."""
    if code is None:
        return ""
    name = VOCABULARY[kind].get(code)
    if name is None:
        return str(code)
    current = language.current()
    if current is None:
        return str(name)
    key = (current.translations, kind, code)
    text = _NAMES.get(key)
    if text is None:
        text = _NAMES[key] = str(name)
    return text


def choices(kind: str) -> list[SelectChoice]:
    """The options of a form's select or radio group."""
    return [SelectChoice(code, name) for code, name in VOCABULARY[kind].items()]


def register_vocabulary(app) -> None:
    app.jinja_env.globals["term"] = term
