"""People's pages. Coordinators: the figures and the funders' CSV, people in insertion (by reference; the
name on their own page only), the skills list, members (names: coordinators only). Every staff member:
self-repair sessions and the door's check-in (a member found by name or card number, shown as "Marie D.";
the search is posted, never in a URL), items brought, volunteers' hours."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..clock import local_today
from ..extensions import db
from ..formfields import attach_errors
from ..inputs import MAX_ID, MAX_YEAR, MIN_YEAR
from ..models.user import STAFF_ROLES
from ..services.exports import csv_text
from ..services.people import PeopleRefused, insertion, members, participation
from ..services.people.figures import people_figures
from ..services.reporting.filters import year_period
from ..web.access import roles_required
from ..web.downloads import csv_response
from .forms import (BroughtItemForm, CheckInForm, ExitForm, FindMemberForm, HoursForm, JoinForm, PersonForm,
                    RenewForm, SessionForm, SkillForm, ValidateSkillForm)

bp = Blueprint("people", __name__, url_prefix="/people")

coordinators_only = roles_required("coordinator")
staff_only = roles_required(*STAFF_ROLES)


def _attempt(form, action):
    """Run ``action`` if the form is valid: (its result, None) or (None, the page's status)."""
    if not form.validate_on_submit():
        return None, 422 if form.errors else 200
    try:
        return action(), None
    except PeopleRefused as refused:
        attach_errors(form, refused.errors)
        return None, 422


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else local_today().year


def _options(pairs, empty: bool = False) -> list[SelectChoice]:
    """A select's options from (value, label) pairs, after an empty one ("—", 0) if asked."""
    return [SelectChoice(0, "—")] * empty + [SelectChoice(value, label) for value, label in pairs]


def _config(key: str) -> int:
    return current_app.config[key]


# Figures -----------------------------------------------------------------------------------------------

@bp.route("/")
@coordinators_only
def index():
    """The year's figures: insertion, sessions, members, volunteers; follow-ups due."""
    year = _year()
    return render_template("people/index.html", year=year, figures=people_figures(db.session, *year_period(year)),
                           years=[y for y in (year - 1, year, year + 1) if y <= local_today().year],
                           due=insertion.followups_due(db.session, local_today()))


@bp.route("/export.csv")
@coordinators_only
def export():
    """The funders' table: counts and rates only, no one named."""
    year = _year()
    lines = people_figures(db.session, *year_period(year)).lines()
    return csv_response(csv_text([_("Indicator"), _("Value")], [[label, value] for label, value in lines]),
                        f"personnes-{year}.csv")


# Insertion -------------------------------------------------------------------------------------------------

@bp.route("/insertion")
@coordinators_only
def people_list():
    """Everyone in insertion, by reference."""
    return render_template("people/insertion.html", people=insertion.people(db.session), today=local_today())


def _person_form() -> PersonForm:
    form = PersonForm(contract_start=local_today())
    form.user_id.choices = _options(insertion.linkable_accounts(db.session), empty=True)
    return form


@bp.route("/insertion/new", methods=["GET", "POST"])
@coordinators_only
def new_person():
    form = _person_form()
    person, status = _attempt(form, lambda: insertion.create_person(
        db.session, reference=form.reference.data, programme=form.programme.data,
        contract_start=form.contract_start.data, contract_end=form.contract_end.data,
        weekly_hours=form.weekly_hours.data, user_id=form.user_id.data or None, name=form.name.data,
        contact=form.contact.data, retention_days=_config("PERSON_IDENTITY_RETENTION_DAYS")))
    if person:
        flash(_("Saved."), "success")
        return redirect(url_for("people.person", person_id=person.id))
    return render_template("people/person_form.html", form=form), status


def _person(person_id: int):
    return (insertion.person_by_id(db.session, person_id) if person_id <= MAX_ID else None) or abort(404)


def _person_page(person, skill_form=None, exit_form=None, status=200):
    today = local_today()
    skill_form = skill_form or ValidateSkillForm(validated_on=today)
    skill_form.skill_id.choices = _options((skill.id, skill.name) for skill in insertion.skills(db.session))
    exit_form = exit_form or ExitForm(exit_on=person.exit_on or today, outcome=person.exit_outcome,
                                      followup_outcome=person.followup_outcome or "", followup_on=person.followup_on)
    repairs = insertion.repairs_by(db.session, [person.user_id] if person.user_id else [], person.contract_start,
                                   person.exit_on or today)
    return render_template("people/person.html", person=person, repairs=repairs, skill_form=skill_form,
                           exit_form=exit_form, identity=insertion.identity_of(db.session, person.id, today)), status


@bp.route("/insertion/<int:person_id>")
@coordinators_only
def person(person_id: int):
    """One person: contract, skills, repairs, exit; their name, kept apart, until its retention ends."""
    return _person_page(_person(person_id))


@bp.route("/insertion/<int:person_id>/skills", methods=["POST"])
@coordinators_only
def validate_skill(person_id: int):
    person = _person(person_id)
    form = ValidateSkillForm()
    form.skill_id.choices = _options((skill.id, skill.name) for skill in insertion.skills(db.session))
    done, status = _attempt(form, lambda: insertion.validate_skill(db.session, person, form.skill_id.data,
                                                                   form.validated_on.data))
    if done:
        flash(_("Skill validated."), "success")
        return redirect(url_for("people.person", person_id=person.id))
    return _person_page(person, skill_form=form, status=status or 422)


@bp.route("/insertion/<int:person_id>/exit", methods=["POST"])
@coordinators_only
def record_exit(person_id: int):
    person = _person(person_id)
    form = ExitForm()
    done, status = _attempt(form, lambda: insertion.record_exit(
        db.session, person, exit_on=form.exit_on.data, outcome=form.outcome.data,
        followup_outcome=form.followup_outcome.data or None, followup_on=form.followup_on.data,
        retention_days=_config("PERSON_IDENTITY_RETENTION_DAYS")))
    if done:
        flash(_("Exit saved."), "success")
        return redirect(url_for("people.person", person_id=person.id))
    return _person_page(person, exit_form=form, status=status or 422)


@bp.route("/skills", methods=["GET", "POST"])
@coordinators_only
def skills():
    """The structure's list of skills people in insertion may validate."""
    form = SkillForm()
    skill, status = _attempt(form, lambda: insertion.add_skill(db.session, form.name.data))
    if skill:
        flash(_("Skill added."), "success")
        return redirect(url_for("people.skills"))
    return render_template("people/skills.html", form=form, skills=insertion.skills(db.session)), status


# Sessions and the door ------------------------------------------------------------------------------------

@bp.route("/sessions")
@staff_only
def sessions():
    """Today's and coming sessions first, then the latest."""
    return render_template("people/sessions.html", sessions=participation.sessions_around(db.session, local_today()),
                           today=local_today())


@bp.route("/sessions/new", methods=["GET", "POST"])
@staff_only
def new_session():
    form = SessionForm(held_on=local_today(), capacity=12)
    record, status = _attempt(form, lambda: participation.create_session(
        db.session, held_on=form.held_on.data, starts_at=form.starts_at.data, minutes=form.minutes.data,
        place=form.place.data, kind=form.kind.data, capacity=form.capacity.data,
        facilitators=form.facilitators.data))
    if record:
        return redirect(url_for("people.session", session_id=record.id))
    return render_template("people/session_form.html", form=form, kinds=participation.SESSION_KINDS), status


def _session(session_id: int):
    return (participation.session_by_id(db.session, session_id) if session_id <= MAX_ID else None) or abort(404)


def _door(record, *, find_form=None, join_form=None, found=None, status=200):
    """The session's page at the door: the count, who came, finding a member, a new member, items, hours."""
    today = local_today()
    hours_form = HoursForm(worked_on=record.held_on, session_id=record.id)
    _hours_choices(hours_form, record)
    return render_template("people/session.html", record=record, find_form=find_form or FindMemberForm(),
                           join_form=join_form or JoinForm(paid_on=today), check_in_form=CheckInForm(),
                           item_form=BroughtItemForm(), hours_form=hours_form, found=found,
                           members_here=members.short_names(db.session, [a.member_id for a in record.attendances],
                                                            today)), status


@bp.route("/sessions/<int:session_id>")
@staff_only
def session(session_id: int):
    return _door(_session(session_id))


@bp.route("/sessions/<int:session_id>/find", methods=["POST"])
@staff_only
def find_member(session_id: int):
    """A member by name (three letters at least) or card number: posted, so that no name goes in a URL."""
    record = _session(session_id)
    form = FindMemberForm()
    found = members.find_at_the_door(db.session, form.text.data, local_today()) if form.validate_on_submit() else None
    return _door(record, find_form=form, found=found)


@bp.route("/sessions/<int:session_id>/attend", methods=["POST"])
@staff_only
def attend(session_id: int):
    """One tap: a member found, or a visitor who is none."""
    record = _session(session_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    member_id = int(form.member_id.data) if (form.member_id.data or "").isdigit() else None
    try:
        participation.check_in(db.session, record, member_id if member_id and member_id <= MAX_ID else None)
    except PeopleRefused as refused:
        flash(str(refused), "error")
    else:
        flash(_("Checked in: %(count)s here.", count=len(record.attendances)), "success")
    return redirect(url_for("people.session", session_id=record.id))


def _join(form: JoinForm):
    """A new member from the form, at the door or on the members' page."""
    return members.join(db.session, name=form.name.data, contact=form.contact.data, card_number=form.card_number.data,
                        paid_on=form.paid_on.data, amount=form.amount.data, membership_days=_config("MEMBERSHIP_DAYS"),
                        retention_days=_config("MEMBER_IDENTITY_RETENTION_DAYS"))


@bp.route("/sessions/<int:session_id>/join", methods=["POST"])
@staff_only
def join(session_id: int):
    """A new member at the door: they join, pay, and are checked in."""
    record = _session(session_id)
    form = JoinForm()

    def join_and_check_in():
        member = _join(form)
        participation.check_in(db.session, record, member.id)
        return member

    member, status = _attempt(form, join_and_check_in)
    if member:
        flash(_("Welcome! Card number %(number)s; checked in.", number=member.card_number), "success")
        return redirect(url_for("people.session", session_id=record.id))
    return _door(record, join_form=form, status=status or 422)


@bp.route("/sessions/<int:session_id>/items", methods=["POST"])
@staff_only
def bring_item(session_id: int):
    record = _session(session_id)
    form = BroughtItemForm()
    done, _status = _attempt(form, lambda: participation.bring_item(db.session, record, description=form.description.data,
                                                                    outcome=form.outcome.data))
    flash(_("Item saved.") if done else _("Say what the item is and what became of it."),
          "success" if done else "error")
    return redirect(url_for("people.session", session_id=record.id))


# Volunteers' hours -----------------------------------------------------------------------------------------

def _hours_choices(form: HoursForm, record=None) -> None:
    """Coordinators record anyone's hours; others their own."""
    if current_user.role == "coordinator":
        form.user_id.choices = _options(participation.volunteer_accounts(db.session), empty=True)
    else:
        form.user_id.choices = _options([(current_user.id, current_user.name)])
        form.user_id.data = current_user.id
    sessions = {s.id: s for s, *_counts in participation.sessions_around(db.session, local_today(), limit=10)}
    if record is not None:
        sessions.setdefault(record.id, record)
    form.session_id.choices = _options(((s.id, f"{format_date(s.held_on)} · {s.kind}") for s in sessions.values()),
                                       empty=True)


@bp.route("/hours", methods=["GET", "POST"])
@staff_only
def hours():
    """Volunteers' hours, per session or per day ("valorisation du bénévolat")."""
    form = HoursForm(worked_on=local_today())
    posted = request.form.get("session_id", type=int)
    _hours_choices(form, participation.session_by_id(db.session, posted) if posted and 0 < posted <= MAX_ID else None)
    if request.method == "POST" and current_user.role != "coordinator":
        form.user_id.data = current_user.id
    done, status = _attempt(form, lambda: participation.record_hours(
        db.session, worked_on=form.worked_on.data, hours=form.hours.data, user_id=form.user_id.data or None,
        session_id=form.session_id.data or None))
    if done:
        flash(_("Hours saved."), "success")
        if done.session_id:
            return redirect(url_for("people.session", session_id=done.session_id))
        return redirect(url_for("people.hours"))
    return render_template("people/hours.html", form=form, latest=participation.latest_hours(db.session)), status


# Members ---------------------------------------------------------------------------------------------------

@bp.route("/members")
@coordinators_only
def members_list():
    """Members with their names: coordinators only."""
    today = local_today()
    return render_template("people/members.html", rows=members.members_with_names(db.session, today), today=today,
                           active=members.active_members_on(db.session, today))


@bp.route("/members/new", methods=["GET", "POST"])
@coordinators_only
def new_member():
    form = JoinForm(paid_on=local_today())
    member, status = _attempt(form, lambda: _join(form))
    if member:
        flash(_("Welcome! Card number %(number)s.", number=member.card_number), "success")
        return redirect(url_for("people.member", member_id=member.id))
    return render_template("people/member_form.html", form=form), status


def _member(member_id: int):
    return (members.member_by_id(db.session, member_id) if member_id <= MAX_ID else None) or abort(404)


def _member_page(member, form=None, status=200):
    today = local_today()
    return render_template("people/member.html", member=member, identity=members.identity_of(db.session, member.id, today),
                           until=members.covered_until(member), today=today,
                           form=form or RenewForm(paid_on=today)), status


@bp.route("/members/<int:member_id>")
@coordinators_only
def member(member_id: int):
    return _member_page(_member(member_id))


@bp.route("/members/<int:member_id>/renew", methods=["POST"])
@coordinators_only
def renew(member_id: int):
    member = _member(member_id)
    form = RenewForm()
    fee, status = _attempt(form, lambda: members.renew(db.session, member, paid_on=form.paid_on.data,
                                                       amount=form.amount.data,
                                                       membership_days=_config("MEMBERSHIP_DAYS"),
                                                       retention_days=_config("MEMBER_IDENTITY_RETENTION_DAYS")))
    if fee:
        flash(_("Renewed until %(day)s.", day=format_date(fee.valid_until)), "success")
        return redirect(url_for("people.member", member_id=member.id))
    return _member_page(member, form, status or 422)
