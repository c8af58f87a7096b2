"""A coordinator-set printer address cannot make the server probe its own network.

Printers are reached on port 9100 (or the ports in the settings), never on
this machine or a link-local address (cloud metadata) unless a setting allows
a local print server; every failure gets the same message.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from intake.extensions import db
from intake.models import CollectionPoint

from .conftest import csrf_token_from
from .factories import make_item

REFUSED = [
    "zpl://127.0.0.1:5432",
    "zpl://127.0.0.1",
    "zpl://localhost",
    "zpl://0.0.0.0",
    "zpl://169.254.169.254",
    "zpl://[::1]",
    "zpl://[::ffff:127.0.0.1]",
    "zpl://[fe80::1]",
    "zpl://192.168.1.51:22",
    "brother-ql://10.0.0.5:6379?model=QL-820NWB",
]
ACCEPTED = ["zpl://192.168.1.51", "zpl://192.168.1.51:9100", "brother-ql://10.0.0.5?model=QL-820NWB"]
NOTHING_PRINTED = "Rien n&#39;a été imprimé"


def save_point(client, world, printer_uri):
    url = f"/admin/collection-points/{world.point_id}"
    return client.post(url, data={
        "csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)), "name": "Ressourcerie centre",
        "organisation_id": 0, "territory_id": 0, "active": "y", "printer_uri": printer_uri,
        "printer_stock": "zebra-50x25", "label_offset_x_mm": "0", "label_offset_y_mm": "0"})


def stored_printer(app, world):
    with app.app_context():
        return db.session.get(CollectionPoint, world.point_id).printer_uri


@pytest.mark.parametrize("uri", REFUSED)
def test_settings_refuse_ports_and_addresses_that_are_not_printers(app, client, auth, world, uri):
    auth.login_as("coordinator")
    response = save_point(client, world, uri)
    assert response.status_code == 200
    assert "imprimante refusée : brother-ql" in response.get_data(as_text=True)
    assert stored_printer(app, world) is None


@pytest.mark.parametrize("uri", ACCEPTED)
def test_settings_accept_printers_on_the_local_network(app, client, auth, world, uri):
    auth.login_as("coordinator")
    assert save_point(client, world, uri).status_code == 302
    assert stored_printer(app, world) == uri


class Listener:
    """Something listening on this machine, as a database or a cache would: it records any connection.

    It waits as long as the test needs (a loaded machine may take seconds to sign in and print); closing
    it wakes it up without counting as a connection."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(30)
        self.port = self.server.getsockname()[1]
        self.received = None
        self.closing = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            connection, _ = self.server.accept()
        except TimeoutError:
            return
        with connection:
            connection.settimeout(5)
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        if data or not self.closing:  # the wake-up connection of close() sends nothing
            self.received = data

    def close(self):
        if self.received is None:
            self.closing = True
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        self.thread.join(timeout=10)
        self.server.close()


def print_label(app, client, auth, world, uri):
    """Set the point's printer straight in the database (as an old setting would be) and print a label."""
    with app.app_context():
        code = make_item(world).code
        point = db.session.get(CollectionPoint, world.point_id)
        point.printer_uri, point.printer_stock = uri, "zebra-50x25"
        db.session.commit()
    auth.login_as("technician")
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    page = client.get(f"/i/{code}").get_data(as_text=True)
    response = client.post(f"/i/{code}/print", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_service_on_this_machine_is_never_contacted(app, client, auth, world):
    listener = Listener()
    page = print_label(app, client, auth, world, f"zpl://127.0.0.1:{listener.port}")
    listener.close()
    assert listener.received is None
    assert NOTHING_PRINTED in page


def test_open_and_closed_ports_give_the_same_message(app, client, auth, world):
    listener = Listener()
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    open_page = print_label(app, client, auth, world, f"zpl://127.0.0.1:{listener.port}")
    listener.close()
    closed_page = print_label(app, client, auth, world, f"zpl://127.0.0.1:{closed_port}")
    assert NOTHING_PRINTED in open_page and NOTHING_PRINTED in closed_page


def test_a_print_server_on_this_machine_when_the_settings_allow_it(app, client, auth, world):
    listener = Listener()
    app.config["PRINTER_ALLOW_LOCAL"] = True
    app.config["PRINTER_PORTS"] = [9100, listener.port]
    page = print_label(app, client, auth, world, f"zpl://127.0.0.1:{listener.port}")
    listener.close()
    assert listener.received and listener.received.startswith(b"^XA")
    assert "Étiquette envoyée à l&#39;imprimante." in page
