"""Recycling batches: filling one, closing it in one transaction, the waste register."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item, ItemEvent, Organisation, RecyclingBatch
from intake.services.codes import new_code
from intake.services.recycling import add_all_waiting, add_items, close_batch, open_batch
from intake.services.status import TransitionRefused

from .factories import make_item, user

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def eco_organism() -> Organisation:
    eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
    db.session.add(eco)
    db.session.commit()
    return eco


def items_to_recycle(world, count: int) -> None:
    """``count`` items waiting for recycling, inserted in one statement (the intake path is tested elsewhere)."""
    template = make_item(world, weight_kg=Decimal("2.5"))
    db.session.execute(sa.update(Item).where(Item.id == template.id).values(status="to_recycle"))
    codes = {template.code}
    while len(codes) < count:  # two of 500 random five-symbol codes match in about one run in 270
        codes.add(new_code())
    codes.discard(template.code)
    db.session.execute(sa.insert(Item), [
        {"code": code, "client_uuid": uuid.uuid4(), "intake_digest": "0" * 64, "category_id": world.phone_id,
         "weight_kg": Decimal("2.5"), "grade": "D", "collection_point_id": world.point_id, "status": "to_recycle"}
        for code in codes])
    db.session.commit()


def test_filling_a_batch_refuses_what_is_not_to_recycle(app, world):
    with app.app_context():
        batch = open_batch(db.session, user=user(world, "technician"), eco_organism_id=eco_organism().id,
                           pickup_on=date(2026, 11, 30), stream="small", waste_code="20 01 36")
        waiting, working = make_item(world), make_item(world)
        db.session.execute(sa.update(Item).where(Item.id == waiting.id).values(status="to_recycle"))
        db.session.commit()
        result = add_items(db.session, batch, [waiting.code.lower(), working.code, "ZZZZZZ"])
        assert result.added == [waiting.code]
        assert set(result.refused) == {working.code, "ZZZZZZ"}
        with pytest.raises(TransitionRefused):
            close_batch(db.session, batch, user=user(world, "technician"))  # coordinators close batches
        assert close_batch(db.session, batch, user=user(world, "coordinator")) == 1
        assert db.session.get(Item, waiting.id).status == "recycled"
        assert db.session.get(Item, working.id).status == "received"
        with pytest.raises(TransitionRefused):
            add_items(db.session, batch, [working.code])  # closed


def test_a_batch_needs_an_eco_organism_and_a_waste_code(app, client, auth, world):
    with app.app_context():
        eco_id = eco_organism().id
    auth.login_as("technician")
    form = {"csrf_token": auth.csrf_token("/recycling/new"), "pickup_on": "2026-11-30", "slip_number": "BSD-1",
            "stream": "small"}
    refused = client.post("/recycling/new", data={**form, "eco_organism_id": str(world.partner_id),
                                                  "waste_code": "20 01 36"})
    assert refused.status_code == 422 and "pas un choix valide" in refused.get_data(as_text=True)
    made = client.post("/recycling/new", data={**form, "eco_organism_id": str(eco_id), "waste_code": "20 01 36",
                                               "weighed_kg": "12,5"})
    assert made.status_code == 302
    with app.app_context():
        batch = db.session.scalar(sa.select(RecyclingBatch))
        assert (batch.slip_number, batch.weighed_kg, batch.state) == ("BSD-1", Decimal("12.5"), "open")


def test_a_batch_holds_one_stream_and_only_its_categories(app, client, auth, world):
    """A WEEE batch (small appliances, 20 01 36) takes the phones, not the bikes; "add all" takes only its own."""
    with app.app_context():
        eco_id = eco_organism().id
        phone, bike = make_item(world), make_item(world, category_id=world.bike_id, weight_kg=14)
        other_phone = make_item(world)
        db.session.execute(sa.update(Item).values(status="to_recycle"))
        db.session.commit()
        codes = {"phone": phone.code, "bike": bike.code, "other_phone": other_phone.code}
    auth.login_as("technician")
    form = {"csrf_token": auth.csrf_token("/recycling/new"), "eco_organism_id": str(eco_id),
            "pickup_on": "2026-11-30"}
    # A waste code outside the stream is refused: WEEE codes for WEEE flows, other codes for the rest.
    for stream, code in (("small", "20 01 10"), ("other", "20 01 36"), ("cooling", "20 03 07")):
        refused = client.post("/recycling/new", data={**form, "stream": stream, "waste_code": code})
        assert refused.status_code == 422 and "ne correspond pas au flux" in refused.get_data(as_text=True)
    made = client.post("/recycling/new", data={**form, "stream": "small", "waste_code": "20 01 36"})
    assert made.status_code == 302
    url = made.headers["Location"]
    page = client.post(url, data={"csrf_token": form["csrf_token"], "codes": f"{codes['phone']} {codes['bike']}"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{codes['bike']} : Pas dans le flux de ce lot" in page
    client.post(f"{url}/all", data={"csrf_token": form["csrf_token"]})
    with app.app_context():
        batch = db.session.scalar(sa.select(RecyclingBatch))
        assert batch.stream == "small"
        in_batch = set(db.session.scalars(sa.select(Item.code).where(Item.recycling_batch_id == batch.id)))
        assert in_batch == {codes["phone"], codes["other_phone"]}
    # The bikes wait for a batch of their own stream; its waste code is the coordinator's to give.
    assert "ne correspond pas" not in client.post("/recycling/new", data={
        **form, "stream": "other", "waste_code": "20 03 07"}).get_data(as_text=True)
    other = client.get("/recycling").get_data(as_text=True)
    assert "Autres déchets" in other and "DEEE · PAM" in other


def kill_while_closing(app, batch_id: int, after: str) -> int:
    """Close the batch in another process that kills itself right after the statement starting with ``after``."""
    script = textwrap.dedent(f"""
        import os, signal
        import sqlalchemy as sa
        from intake import create_app
        from intake.extensions import db
        from intake.models import Membership, RecyclingBatch, User
        from intake.services.recycling import close_batch

        app = create_app({{"SQLALCHEMY_DATABASE_URI": {app.config["SQLALCHEMY_DATABASE_URI"]!r},
                          "SECRET_KEY": "test"}})
        with app.app_context():
            def die(conn, cursor, statement, *args):
                if statement.lstrip().upper().startswith({after.upper()!r}):
                    os.kill(os.getpid(), signal.SIGKILL)
            sa.event.listen(db.engine, "after_cursor_execute", die)
            batch = db.session.get(RecyclingBatch, {batch_id})
            coordinator = db.session.scalar(sa.select(User).join(User.memberships).where(Membership.role == "coordinator"))
            close_batch(db.session, batch, user=coordinator)
            print("closed without being killed")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "INTAKE_INSTANCE_PATH": app.instance_path})
    return done.returncode


@pytest.mark.parametrize("after", ["INSERT INTO item_event", "UPDATE item", "UPDATE recycling_batch"])
def test_closing_500_items_is_one_transaction_even_if_the_process_is_killed(app, world, after):
    with app.app_context():
        items_to_recycle(world, 500)
        batch = open_batch(db.session, user=user(world, "coordinator"), eco_organism_id=eco_organism().id,
                           pickup_on=date(2026, 11, 30), stream="small", waste_code="20 01 36",
                           slip_number="BSD-500")
        assert add_all_waiting(db.session, batch) == 500
        batch_id = batch.id
        events_before = db.session.scalar(sa.select(sa.func.count(ItemEvent.id)))
        db.session.remove()
        db.engine.dispose()  # no connection of ours holds the database while the other process works

    assert kill_while_closing(app, batch_id, after) == -9  # killed mid-way, before its COMMIT

    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Item.status, sa.func.count()).group_by(Item.status)).all())
        assert statuses == {"to_recycle": 500}  # none recycled
        assert db.session.scalar(sa.select(sa.func.count(ItemEvent.id))) == events_before
        assert db.session.get(RecyclingBatch, batch_id).state == "open"
        # Closed again, this time to the end: all of them.
        assert close_batch(db.session, db.session.get(RecyclingBatch, batch_id),
                           user=user(world, "coordinator")) == 500
        statuses = dict(db.session.execute(sa.select(Item.status, sa.func.count()).group_by(Item.status)).all())
        assert statuses == {"recycled": 500}
        assert db.session.scalar(sa.select(sa.func.count(ItemEvent.id)).where(
            ItemEvent.to_status == "recycled")) == 500


def test_the_waste_register_lists_closed_batches(app, client, auth, world):
    with app.app_context():
        items_to_recycle(world, 3)
        batch = open_batch(db.session, user=user(world, "coordinator"), eco_organism_id=eco_organism().id,
                           pickup_on=date(2026, 11, 30), stream="small", waste_code="20 01 36",
                           slip_number="=BSD-3")
        add_all_waiting(db.session, batch)
        close_batch(db.session, batch, user=user(world, "coordinator"))
    auth.login_as("coordinator")
    response = client.get("/recycling/register.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    # French headers with their unit, decimal commas, ISO dates, semicolons.
    assert rows[0][:9] == ["Date d’enlèvement", "Dénomination usuelle", "Code déchet", "Quantité (kg)", "Origine",
                           "Éco-organisme", "SIREN de l’éco-organisme", "N° de bordereau de suivi", "Nombre d’objets"]
    assert rows[1][:9] == ["2026-11-30", "Téléphone mobile", "20 01 36", "7,500", "Ressourcerie centre", "ecosystem",
                           "830300000", "'=BSD-3", "3"]


def test_closing_a_batch_through_the_page(app, client, auth, world):
    with app.app_context():
        items_to_recycle(world, 4)
        batch = open_batch(db.session, user=user(world, "technician"), eco_organism_id=eco_organism().id,
                           pickup_on=date(2026, 11, 30), stream="small", waste_code="20 01 36")
        batch_id = batch.id
    auth.login_as("technician")
    token = auth.csrf_token("/recycling")
    assert "4 objets à recycler" in client.get("/recycling").get_data(as_text=True)
    client.post(f"/recycling/{batch_id}/all", data={"csrf_token": token})
    page = client.get(f"/recycling/{batch_id}").get_data(as_text=True)
    assert "Clôturer le lot" not in page  # technicians fill batches; coordinators close them
    auth.login_as("coordinator")
    page = client.get(f"/recycling/{batch_id}").get_data(as_text=True)
    assert "Clôturer le lot" in page and "10 kg" in page
    closed = client.post(f"/recycling/{batch_id}/close", data={"csrf_token": auth.csrf_token("/recycling")},
                         follow_redirects=True)
    assert "4 objets recyclés" in closed.get_data(as_text=True)


def test_the_items_waiting_are_counted_as_batches_fill_and_close(app, client, auth, world):
    """What waits for a batch, on the batches' page and a batch's button: the items to recycle less those
    already in an open batch (counted from the intake tally, which a direct count of the items must equal)."""
    with app.app_context():
        items_to_recycle(world, 6)
        technician, coordinator = user(world, "technician"), user(world, "coordinator")
        eco = eco_organism()
        codes = db.session.scalars(sa.select(Item.code).where(Item.status == "to_recycle").order_by(Item.id)).all()
        closing = open_batch(db.session, user=technician, eco_organism_id=eco.id, pickup_on=date(2026, 11, 23),
                             stream="small", waste_code="20 01 36")
        add_items(db.session, closing, codes[:1])
        close_batch(db.session, closing, user=coordinator)
        filling = open_batch(db.session, user=technician, eco_organism_id=eco.id, pickup_on=date(2026, 11, 30),
                             stream="small", waste_code="20 01 36")
        add_items(db.session, filling, codes[1:3])
        filling_id = filling.id
        counted = db.session.scalar(sa.select(sa.func.count(Item.id)).where(
            Item.status == "to_recycle", Item.recycling_batch_id.is_(None)))
    assert counted == 3
    auth.login_as("technician")
    assert "3 objets à recycler ne sont encore dans aucun lot." in client.get("/recycling").get_data(as_text=True)
    assert "Ajouter les 3 objets en attente" in client.get(f"/recycling/{filling_id}").get_data(as_text=True)
    with app.app_context():
        add_all_waiting(db.session, db.session.get(RecyclingBatch, filling_id))
    assert "0 objets à recycler" in client.get("/recycling").get_data(as_text=True)


def contents_from_items() -> dict:
    """What ``batch_content`` must hold, counted the slow way from the items in a batch."""
    expected: dict = {}
    for item in db.session.scalars(sa.select(Item).where(Item.recycling_batch_id.is_not(None))):
        key = (item.structure_id, item.recycling_batch_id, item.collection_point_id, item.category_id,
               item.source_id or 0)
        entry = expected.setdefault(key, [0, Decimal(0)])
        entry[0] += 1
        entry[1] += item.weight_kg
    return {key: (count, weight.quantize(Decimal("0.001"))) for key, (count, weight) in expected.items()}


def contents_kept() -> dict:
    rows = db.session.execute(sa.text("SELECT structure_id, recycling_batch_id, collection_point_id, category_id, "
                                      "source_key, items, kg FROM batch_content"))
    return {tuple(row[:5]): (row[5], Decimal(str(row[6])).quantize(Decimal("0.001"))) for row in rows}


def test_what_each_batch_holds_is_kept_by_the_database(app, world):
    """The batches' contents (the register's and the dashboard's source) follow items put in a batch, taken out,
    corrected, closed, deleted, and a batch deleted from the register."""
    from intake.services.amendments import Amendment, amend_item
    from intake.services.recycling import remove_item
    from intake.services.reporting.register import delete_batch

    with app.app_context():
        items_to_recycle(world, 5)
        partner_item = make_item(world, source_id=world.partner_id, weight_kg=Decimal("1.25"))
        db.session.execute(sa.update(Item).where(Item.id == partner_item.id).values(status="to_recycle"))
        db.session.commit()
        technician, coordinator = user(world, "technician"), user(world, "coordinator")
        eco = eco_organism()
        first = open_batch(db.session, user=technician, eco_organism_id=eco.id, pickup_on=date(2026, 11, 23),
                           stream="small", waste_code="20 01 36")
        codes = db.session.scalars(sa.select(Item.code).where(Item.status == "to_recycle").order_by(Item.id)).all()
        add_items(db.session, first, codes[:2])
        assert contents_kept() == contents_from_items() and sum(v[0] for v in contents_kept().values()) == 2
        second = open_batch(db.session, user=technician, eco_organism_id=eco.id, pickup_on=date(2026, 11, 30),
                            stream="small", waste_code="20 01 36")
        add_all_waiting(db.session, second)
        assert contents_kept() == contents_from_items() and len({key[1] for key in contents_kept()}) == 2
        remove_item(db.session, second, codes[2])
        moved = db.session.scalar(sa.select(Item).where(Item.code == codes[3]))
        correction = Amendment({"weight_kg": Decimal("3.5"), "collection_point_id": world.other_point_id},
                               reason="pesée")
        amend_item(db.session, moved, correction, user=coordinator, author_window=timedelta(days=1))
        amend_item(db.session, db.session.get(Item, partner_item.id), Amendment({"source_id": None}, reason="erreur"),
                   user=coordinator, author_window=timedelta(days=1))
        assert contents_kept() == contents_from_items()
        close_batch(db.session, first, user=coordinator)
        close_batch(db.session, second, user=coordinator)
        assert contents_kept() == contents_from_items()
        assert sum(count for count, _ in contents_kept().values()) == 5
        db.session.execute(sa.delete(ItemEvent).where(ItemEvent.item_id == moved.id))
        db.session.execute(sa.delete(Item).where(Item.id == moved.id))
        db.session.commit()
        assert contents_kept() == contents_from_items()
        app.config["WASTE_REGISTER_RETENTION_YEARS"] = 0  # the line may go
        delete_batch(db.session, db.session.get(RecyclingBatch, first.id))
        assert contents_kept() == contents_from_items()
        assert {key[1] for key in contents_kept()} == {second.id}
