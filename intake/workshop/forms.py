"""Workshop forms: moving an item on, its checklist, its data erasure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..services.outcomes import MAX_WARRANTY_MONTHS
from ..vocabulary import choices


class WorkFields(FlaskForm):
    """What was done: shared by every workshop form."""

    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    minutes = IntegerField(_l("Time spent (minutes)"), validators=[Optional(), NumberRange(min=0, max=24 * 60)],
                           render_kw={"inputmode": "numeric"})
    parts = StringField(_l("Parts used"), validators=[Optional(), Length(max=500)])


class TransitionForm(WorkFields):
    to = RadioField(_l("Move to"), validators=[InputRequired(_l("Choose where the item goes."))])
    seen_status = HiddenField()
    barrier = SelectField(_l("Why it cannot be repaired"), default="",
                          choices=[SelectChoice("", "—")] + choices("barrier"))
    repair_outcome = SelectField(_l("Repair outcome"), default="",
                                 choices=[SelectChoice("", "—")] + choices("repair_outcome"))
    problem = StringField(_l("Problem found"), validators=[Optional(), Length(max=500)])


class ChecklistForm(WorkFields):
    """The checks themselves are the category's, read from the request by the view."""


class ErasureForm(FlaskForm):
    level = SelectField(_l("NIST SP 800-88 level"), choices=choices("erasure_level"))
    method = StringField(_l("Method"), validators=[DataRequired(), Length(max=200)],
                         render_kw={"placeholder": "ATA Secure Erase, NVMe Format, réinitialisation chiffrée…"})
    tool = StringField(_l("Tool"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"placeholder": "nwipe, hdparm, ShredOS…"})
    tool_version = StringField(_l("Tool version"), validators=[DataRequired(), Length(max=40)])
    verification = RadioField(_l("Verification"), choices=choices("verification"),
                              validators=[InputRequired(_l("Say whether the verification passed."))])
    storage_serial = StringField(_l("Storage serial number"), validators=[Optional(), Length(max=120)])
    certificate_ref = StringField(_l("Certificate reference"), validators=[Optional(), Length(max=200)])


class BulkForm(WorkFields):
    to = SelectField(_l("Move them all to"))
    codes = HiddenField()  # what the camera gathered, filled in by the page's script
    # A label the camera cannot read (or no camera at all): its code, typed.
    typed = StringField(_l("Or type the code"), validators=[Optional(), Length(max=200)],
                        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"})


# After-sales: the workshop's three answers to a fault ticket (workshop/tickets.py).
class TicketAcceptForm(FlaskForm):
    action = HiddenField(default="accept")
    message = TextAreaField(_l("Message to the reporter (optional)"), validators=[Optional(), Length(max=2000)])


class TicketReplaceForm(FlaskForm):
    action = HiddenField(default="replace")
    replacement_code = StringField(_l("Code of the ready item going out instead"),
                                   validators=[DataRequired(), Length(max=40)],
                                   render_kw={"autocapitalize": "characters", "autocomplete": "off",
                                              "spellcheck": "false"})
    typed_name = StringField(_l("Tenant's name, typed by the tenant"), validators=[Optional(), Length(max=200)],
                             render_kw={"autocomplete": "off"})
    warranty_months = IntegerField(_l("Warranty (months)"), default=12,
                                   validators=[Optional(), NumberRange(min=0, max=MAX_WARRANTY_MONTHS)],
                                   render_kw={"inputmode": "numeric"})
    message = TextAreaField(_l("Message to the reporter (optional)"), validators=[Optional(), Length(max=2000)])


class TicketCloseForm(FlaskForm):
    action = HiddenField(default="close")
    answer = TextAreaField(_l("Answer to the reporter"), validators=[DataRequired(), Length(max=2000)])
