"""People: insertion, self-repair sessions, members, volunteers' hours. Hand-built data for every indicator
(counted here by hand in the comments), the door's check-in, names for coordinators only, the retention job."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from intake.extensions import db
from intake.models import ItemEvent
from intake.services.people import insertion, members, participation

from .conftest import csrf_token_from
from .factories import make_item

YEAR = "2026"


def english(client, auth, role="coordinator"):
    auth.login_as(role)
    client.post("/language", data={"lang": "en", "csrf_token": auth.csrf_token("/account")})


def funders_table(client) -> dict[str, str]:
    response = client.get(f"/people/export.csv?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Indicator", "Value"]
    return dict(rows[1:])


def person(reference, start, end, *, exit_on=None, outcome=None, followup=None, skills=(), user_id=None, name=None):
    made = insertion.create_person(db.session, reference=reference, programme="aci", contract_start=start,
                                   contract_end=end, weekly_hours=Decimal(26), user_id=user_id, name=name, contact=None,
                                   retention_days=365)
    for skill_id, validated_on in skills:
        insertion.validate_skill(db.session, made, skill_id, validated_on)
    if exit_on:
        insertion.record_exit(db.session, made, exit_on=exit_on, outcome=outcome, followup_outcome=followup,
                              followup_on=None, retention_days=365)
    return made


def test_insertion_figures(app, client, auth, world):
    with app.app_context():
        weld = insertion.add_skill(db.session, "Soudure").id
        brakes = insertion.add_skill(db.session, "Freinage").id
        technician = world.user_ids["technician"]
        # In 2026: A (skill in March, CDI in June, followed up in a job), B (left for training in February),
        # C (still there, a skill in May and one in 2025 that does not count), E (no outcome in September).
        # D left at the end of 2025: not in 2026.
        person("A", date(2026, 1, 1), date(2026, 12, 31), exit_on=date(2026, 6, 30), outcome="cdi", followup="cdi",
               skills=[(weld, date(2026, 3, 1))], user_id=technician)
        person("B", date(2025, 6, 1), date(2026, 2, 28), exit_on=date(2026, 2, 28), outcome="training")
        person("C", date(2025, 9, 1), date(2027, 1, 31), skills=[(brakes, date(2025, 10, 1)), (weld, date(2026, 5, 1))])
        person("D", date(2025, 1, 1), date(2025, 12, 31), exit_on=date(2025, 12, 31), outcome="none",
               skills=[(weld, date(2025, 4, 1))])
        person("E", date(2026, 3, 1), date(2026, 9, 30), exit_on=date(2026, 9, 30), outcome="none")
        # A's account: 90 + 30 minutes on two items in 2026, 45 in 2025 (not counted).
        items = [make_item(world), make_item(world)]
        for item, minutes, at in ((items[0], 90, datetime(2026, 4, 2, 9, tzinfo=timezone.utc)),
                                  (items[1], 30, datetime(2026, 4, 3, 9, tzinfo=timezone.utc)),
                                  (items[1], 45, datetime(2025, 4, 3, 9, tzinfo=timezone.utc))):
            db.session.add(ItemEvent(item_id=item.id, kind="note", minutes=minutes, user_id=technician, at=at))
        db.session.commit()
    english(client, auth)
    table = funders_table(client)
    assert table["People in insertion in the period"] == "4"  # A, B, C, E
    assert table["People requalified (a skill validated in the period)"] == "2"  # A, C
    assert table["Exits"] == "3"
    assert table["Exits: Permanent contract (CDI)"] == "1"
    assert table["Exits: Qualifying training"] == "1"
    assert table["Exits: No outcome"] == "1"
    assert table["Positive exits (sorties dynamiques)"] == "2"
    assert table["Share of positive exits (%)"] == "66.7"  # 2 / 3
    assert table["Follow-ups at 6 months recorded"] == "1"  # A's, on 2026-12-30
    assert table["Of them in a job or training"] == "1"
    assert table["Items worked on by people in insertion"] == "2"
    assert table["Hours recorded on repairs"] == "2.0"  # 120 minutes
    page = client.get(f"/people/?year={YEAR}").get_data(as_text=True)
    assert "67 %" in page or "67%" in page


def fee(member, paid_on, amount="10"):
    return members.renew(db.session, member, paid_on=paid_on, amount=Decimal(amount), membership_days=365,
                         retention_days=365)


def join(name, paid_on, card=None):
    return members.join(db.session, name=name, contact=None, card_number=card, paid_on=paid_on, amount=Decimal(10),
                        membership_days=365, retention_days=365)


def test_members_active_new_renewed_lapsed(app):
    with app.app_context():
        m1 = join("Marie Dupont", date(2025, 3, 1))   # runs to 2026-02-28
        fee(m1, date(2026, 2, 15))                     # paid early: runs on to 2027-02-28
        join("Paul Martin", date(2025, 6, 1))          # runs to 2026-05-31, never renewed: lapses in 2026
        join("Ana Silva", date(2026, 4, 10))           # new in 2026, runs to 2027-04-09
        join("Old Member", date(2024, 1, 1))           # lapsed on 2024-12-31
        assert [fee.valid_until for fee in m1.fees] == [date(2026, 2, 28), date(2027, 2, 28)]
        assert members.active_members_on(db.session, date(2026, 5, 31)) == 3
        assert members.active_members_on(db.session, date(2026, 6, 1)) == 2
        assert members.active_members_on(db.session, date(2026, 12, 31)) == 2
        assert members.active_members_on(db.session, date(2024, 6, 1)) == 1
        assert members.fees_in(db.session, date(2026, 1, 1), date(2026, 12, 31)) == {"join": 1, "renewal": 1}
        assert members.lapsed_in(db.session, date(2026, 1, 1), date(2026, 12, 31)) == 1  # Paul
        assert members.lapsed_in(db.session, date(2024, 1, 1), date(2024, 12, 31)) == 1  # Old Member (2024: 366 days)
        assert members.lapsed_in(db.session, date(2025, 1, 1), date(2025, 12, 31)) == 0
        assert members.lapsed_in(db.session, date(2026, 1, 1), date(2026, 5, 31)) == 0  # Paul still covered
        # A card number is one member's; the next free one is given when none is typed.
        assert join("Zoé Blanc", date(2026, 5, 1)).card_number == "0005"
        with pytest.raises(members.PeopleRefused):
            join("Someone", date(2026, 5, 1), card="0005")


def test_sessions_attendance_repair_rate_and_volunteer_hours(app, client, auth, world):
    with app.app_context():
        regular = [join(f"Membre {n} Test", date(2026, 1, 5)) for n in range(3)]
        first = participation.create_session(db.session, held_on=date(2026, 3, 7), starts_at=None, minutes=180,
                                             place="Local", kind="Vélo", capacity=10, facilitators="Léa")
        second = participation.create_session(db.session, held_on=date(2026, 4, 4), starts_at=None, minutes=180,
                                              place="Local", kind="Couture", capacity=10, facilitators=None)
        outside = participation.create_session(db.session, held_on=date(2025, 12, 6), starts_at=None, minutes=None,
                                               place="Local", kind="Vélo", capacity=8, facilitators=None)
        # First: 5 attendees, 2 members. Second: 3 attendees, 1 member. 2025's session: 8 (not counted).
        for member in regular[:2]:
            participation.check_in(db.session, first, member.id)
        for _ in range(3):
            participation.check_in(db.session, first)
        participation.check_in(db.session, second, regular[2].id)
        participation.check_in(db.session, second)
        participation.check_in(db.session, second)
        for _ in range(8):
            participation.check_in(db.session, outside)
        # Items: 3 repaired, 1 repairable, 1 end of life in 2026.
        for outcome in ("fixed", "fixed", "repairable"):
            participation.bring_item(db.session, first, description="Vélo", outcome=outcome)
        for outcome in ("fixed", "end_of_life"):
            participation.bring_item(db.session, second, description="Jupe", outcome=outcome)
        participation.bring_item(db.session, outside, description="Vélo", outcome="end_of_life")
        # Hours: 2.5 at the first session, 4 on a day of 2026, 3 in 2025.
        volunteer = world.user_ids["volunteer"]
        participation.record_hours(db.session, worked_on=date(2026, 3, 7), hours=Decimal("2.5"), user_id=volunteer,
                                   session_id=first.id)
        participation.record_hours(db.session, worked_on=date(2026, 6, 1), hours=Decimal(4), user_id=None,
                                   session_id=None)
        participation.record_hours(db.session, worked_on=date(2025, 6, 1), hours=Decimal(3), user_id=None,
                                   session_id=None)
        # A member is counted once per session.
        with pytest.raises(participation.PeopleRefused):
            participation.check_in(db.session, first, regular[0].id)
    english(client, auth)
    table = funders_table(client)
    assert table["Self-repair sessions"] == "2"
    assert table["Attendees"] == "8"
    assert table["Of them members"] == "3"
    assert table["Places offered"] == "20"
    assert table["Attendance rate (%)"] == "40.0"  # 8 / 20
    assert table["Items brought to sessions"] == "5"
    assert table["Repair rate (%)"] == "60.0"  # 3 / 5
    assert table["Volunteer hours"] == "6.50"
    assert table["New members"] == "3"
    assert table["Active members on the last day"] == "3"
    page = client.get(f"/people/?year={YEAR}").get_data(as_text=True)
    assert "03/2026" in page and "50 %" in page  # March: 5 / 10


def post(client, url, **data):
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_the_door_finds_members_by_name_or_card_and_shows_little(app, client, auth, world):
    """A volunteer at the door: a visitor in one tap, a member found by three letters of their name or their
    card number and shown as "Marie D.", a newcomer joining; never the members' list or full names."""
    with app.app_context():
        marie = join("Marie Dupont", date(2026, 1, 5))
        join("Marc Durand", date(2026, 1, 5))
        workshop = participation.create_session(db.session, held_on=date(2026, 11, 21), starts_at=None, minutes=None,
                                                place="Local", kind="Vélo", capacity=10, facilitators=None)
        door = f"/people/sessions/{workshop.id}"
        card = marie.card_number
    auth.login_as("volunteer")
    assert client.get("/people/members").status_code == 403
    post(client, f"{door}/attend")  # a visitor
    found = post(client, f"{door}/find", text="dup").get_data(as_text=True)
    assert "Marie D." in found and "Dupont" not in found and "Marc" not in found
    assert "Marie D." not in post(client, f"{door}/find", text="Ma").get_data(as_text=True)  # two letters
    assert "Marie D." in post(client, f"{door}/find", text=card).get_data(as_text=True)
    post(client, f"{door}/attend", member_id=str(marie.id))
    again = post(client, f"{door}/attend", member_id=str(marie.id))
    assert again.status_code == 302
    joined = post(client, f"{door}/join", name="Jules Neuf", amount="10", paid_on="2026-11-21")
    assert joined.status_code == 302
    page = client.get(door).get_data(as_text=True)
    assert "3 / 10" in page and "Jules N." in page and "Jules Neuf" not in page
    with app.app_context():
        record = participation.session_by_id(db.session, workshop.id)
        assert len(record.attendances) == 3
        assert sum(1 for a in record.attendances if a.member_id) == 2
    # The coordinator sees the names, the funders' table none.
    auth.login_as("coordinator")
    assert "Jules Neuf" in client.get("/people/members").get_data(as_text=True)
    export = client.get(f"/people/export.csv?year={YEAR}").get_data(as_text=True)
    assert not any(text in export for text in ("Marie", "Dupont", "Jules", card))


def test_the_retention_job_deletes_names_with_a_frozen_clock(app, client, auth, world, runner, freeze_clock):
    with app.app_context():
        made = person("ACI-7", date(2025, 3, 1), date(2026, 1, 31), name="Karim Person")  # name kept to 2027-01-31
        late = join("Lina Late", date(2025, 1, 1))                                     # lapsed 2025-12-31: to 2026-12-31
        renewed = join("Rémi Renew", date(2025, 1, 1))
        fee(renewed, date(2025, 12, 20))                                               # runs to 2026-12-31: to 2027-12-31
        person_id, late_id, renewed_id = made.id, late.id, renewed.id
    freeze_clock(datetime(2027, 1, 1, 12, tzinfo=timezone.utc))
    output = runner.invoke(args=["personal-data", "purge"]).output
    assert "1 members' names past the retention period deleted." in output
    assert "0 names of people in insertion" in output
    freeze_clock(datetime(2027, 2, 1, 12, tzinfo=timezone.utc))
    assert "1 names of people in insertion" in runner.invoke(args=["tenants", "purge"]).output  # the old name
    with app.app_context():
        assert insertion.identity_of(db.session, person_id, date(2027, 2, 1)) is None
        assert members.identity_of(db.session, late_id, date(2027, 2, 1)) is None
        assert members.identity_of(db.session, renewed_id, date(2027, 2, 1)).name == "Rémi Renew"
        # What they described stays, for the indicators.
        assert insertion.person_by_id(db.session, person_id).reference == "ACI-7"
    auth.login_as("coordinator")
    page = client.get(f"/people/insertion/{person_id}").get_data(as_text=True)
    assert "ACI-7" in page and "Karim" not in page


def test_pages_through_the_forms(app, client, auth, world):
    """A coordinator makes a skill, a person, validates the skill, records the exit; a session; a member renews."""
    auth.login_as("coordinator")

    assert post(client, "/people/skills", name="Diagnostic").status_code == 302
    created = post(client, "/people/insertion/new", reference="EI-1", programme="ei", contract_start="2026-01-05",
                   contract_end="2026-12-31", weekly_hours="26", user_id="0", name="Nadia Person")
    assert created.status_code == 302
    url = created.headers["Location"]
    with app.app_context():
        skill_id = insertion.skills(db.session)[0].id
    assert post(client, f"{url}/skills", skill_id=str(skill_id), validated_on="2026-04-01").status_code == 302
    assert post(client, f"{url}/exit", exit_on="2026-06-30", outcome="cdd_long", followup_outcome="").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Nadia Person" in page and "Diagnostic" in page
    assert "Nadia" not in client.get("/people/insertion").get_data(as_text=True)  # lists: the reference only
    refused = post(client, "/people/insertion/new", reference="EI-1", programme="ei", contract_start="2026-01-05",
                   contract_end="2025-12-31", user_id="0")
    assert refused.status_code == 422
    session_made = post(client, "/people/sessions/new", kind="Informatique", held_on="2026-11-28", place="Cyber", capacity="8")
    assert session_made.status_code == 302
    member_made = post(client, "/people/members/new", name="Eva Renew", amount="5", paid_on="2026-01-10")
    assert member_made.status_code == 302
    assert post(client, f"{member_made.headers['Location']}/renew", amount="5", paid_on="2027-01-02").status_code == 302
    assert client.get("/people/hours").status_code == 200
