"""Command-line tasks: ``flask --app intake <command>``."""

from __future__ import annotations

import click
import sqlalchemy as sa

from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade as migrate_upgrade

from .extensions import db
from .models import Organisation, Structure, User
from .models.user import ROLES
from .scoping import scoped_to

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="Display name (default: the part of the e-mail before @).")
@click.option("--org", "organisation_name", default=None, help="Organisation name (required for a landlord).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given.")
@click.option("--structure", "structure_id", type=int, default=None,
              help="The structure they work in (see `structures list`; default: the first).")
def create_user_command(email, role, name, organisation_name, password, structure_id):
    """Create an account."""
    from .services.accounts import AccountError, create_user

    structure_id = structure_id or db.session.scalar(sa.select(sa.func.min(Structure.id)))
    if db.session.get(Structure, structure_id) is None:
        raise click.ClickException(f"no structure {structure_id}")
    with scoped_to(structure_id):
        organisation = None
        if organisation_name:
            organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation_name))
            if organisation is None:
                raise click.ClickException(f"no organisation named {organisation_name!r} in structure {structure_id}")
        try:
            user = create_user(db.session, email=email, name=name, role=role, password=password,
                               organisation=organisation)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created {user.role} {user.email} in structure {structure_id}.")


def _account(email: str) -> User:
    from .services.accounts import normalize_email

    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no account for {email}")
    return user


@users.command("token")
@click.argument("email")
@click.option("--name", default=None, help="What the token is for, to recognise it in the list.")
@click.option("--days", type=click.IntRange(1, 365), default=None, help="How long it is valid (default: API_TOKEN_DAYS).")
@click.option("--read-only", is_flag=True, help="It may only read, never register or move items.")
def token_command(email, name, days, read_only):
    """Print a new API bearer token for an account (shown once, keep it safe)."""
    from .services.accounts import AccountError, issue_token

    try:
        click.echo(issue_token(db.session, _account(email), name=name, days=days, read_only=read_only))
    except AccountError as error:
        raise click.ClickException(str(error)) from None


@users.command("tokens")
@click.argument("email")
def tokens_command(email):
    """List an account's API tokens: name, when made, expires, last used, and whether revoked."""
    from .clock import now_utc
    from .services.accounts import tokens_of

    now = now_utc()
    for token in tokens_of(db.session, _account(email)):
        state = "revoked" if token.revoked_at else "expired" if token.expires_at <= now else "active"
        last_used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id:>5}  {token.name or '-':<30} created {token.created_at:%Y-%m-%d}  "
                   f"expires {token.expires_at:%Y-%m-%d}  last used {last_used}  {state}"
                   f"{'  read-only' if token.read_only else ''}")


@users.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token_command(token_id):
    """Revoke an API token by its number (from `users tokens`): scripts using it get 401."""
    from .services.accounts import revoke_token

    if revoke_token(db.session, token_id) is None:
        raise click.ClickException(f"no token {token_id}")
    click.echo(f"Token {token_id} revoked.")


@users.command("sign-out")
@click.argument("email")
def sign_out_command(email):
    """End every session of an account, on every device (a lost phone)."""
    from .services.accounts import end_sessions

    end_sessions(db.session, _account(email))
    click.echo(f"Every session of {email} ended.")


@click.command("upgrade")
@with_appcontext
def upgrade_command():
    """Bring the database schema up to date and install the default categories on a new database."""
    from .services.catalogue import install_default_categories

    migrate_upgrade()
    made = install_default_categories(db.session)
    click.echo(f"Database up to date{f'; {made} default categories installed' if made else ''}.")


@click.command("demo")
@with_appcontext
@click.option("--items", "item_count", default=300, show_default=True, help="How many items to log.")
def demo_command(item_count):
    """Fill an empty database with French demo data and print the demo logins."""
    from .services.demo import DEMO_PASSWORD, build_demo, demo_logins

    logins = build_demo(db.session, item_count=item_count)
    if not logins:
        click.echo("The database already holds data: no demo data added.")
        logins = demo_logins(db.session)
        if not logins:
            return
    click.echo(f"Demo data ready. Sign in at /login with password {DEMO_PASSWORD!r} and one of:")
    for email, role in logins:
        click.echo(f"  {email:<40} {role}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_command(path):
    """Write a consistent copy of the database to PATH while the app keeps running."""
    from .services.backup import backup_database

    backup_database(db.engine, path)
    click.echo(f"Backup written to {path}.")


personal_data = AppGroup("personal-data", help="Personal records kept apart (GDPR).")
tenants = AppGroup("tenants", help="Tenants' identities (GDPR).")

PURGED = {"tenant": "tenant identities", "person": "names of people in insertion", "member": "members' names"}


def purge_personal_data() -> None:
    """Delete every personal record past its retention period (run it daily): tenants' names, contacts
    and signatures, the names of people in insertion, members' names."""
    from .clock import local_today
    from .services.retention import purge_expired

    for kind, deleted in purge_expired(db.session, local_today()).items():
        click.echo(f"{deleted} {PURGED[kind]} past the retention period deleted.")


personal_data.command("purge")(purge_personal_data)
# The name the daily job had before other personal records joined the tenants' (same job, every kind).
tenants.command("purge")(purge_personal_data)


structures = AppGroup("structures", help="Structures served by this instance.")


@structures.command("create")
@click.option("--name", required=True, help="The structure's name.")
@click.option("--coordinator-email", required=True, help="Its first coordinator (an existing account is added).")
@click.option("--coordinator-name", default="", help="Their name (default: the part of the e-mail before @).")
@click.option("--password", default=None, help="A new account's first password (default: one is made and printed).")
@click.option("--network", "network_name", default=None, help="A network the structure joins.")
def create_structure_command(name, coordinator_email, coordinator_name, password, network_name):
    """Create a structure with the default categories and checklists and its first coordinator."""
    from .services.networks import network_named
    from .services.onboarding import create_structure
    from .services.structure import StructureRejected

    network = network_named(db.session, network_name) if network_name else None
    if network_name and network is None:
        raise click.ClickException(f"no network named {network_name!r}")
    try:
        made = create_structure(db.session, name=name, coordinator_email=coordinator_email,
                                coordinator_name=coordinator_name, password=password, network=network)
    except StructureRejected as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Created structure {made.structure_id} {made.structure_name!r} with {made.categories} categories; "
               f"coordinator {made.coordinator_email}{'' if made.new_account else ' (existing account)'}.")
    if made.password:
        click.echo(f"First password (shown once): {made.password}")


@structures.command("list")
def list_structures_command():
    """List the structures: id, name, networks, and whether inactive."""
    from .services.onboarding import structures as all_structures

    for structure_id, name, active, networks in all_structures(db.session):
        click.echo(f"{structure_id:>5}  {name or '-':<40} {', '.join(networks) or '-'}{'' if active else '  inactive'}")


networks = AppGroup("networks", help="Networks of structures and their coordinators.")


def _network(name: str):
    from .services.networks import network_named

    network = network_named(db.session, name)
    if network is None:
        raise click.ClickException(f"no network named {name!r}")
    return network


@networks.command("create")
@click.argument("name")
def create_network_command(name):
    """Create a network."""
    from .services.networks import NetworkRefused, create_network

    try:
        network = create_network(db.session, name)
    except NetworkRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Created network {network.id} {network.name!r}.")


@networks.command("add-coordinator")
@click.argument("name")
@click.argument("email")
@click.option("--name", "person_name", default="", help="A new account's name (default: the part of the e-mail before @).")
def add_network_coordinator_command(name, email, person_name):
    """Let an account coordinate a network: it sees the members' aggregated figures and onboards structures.
    Without an account for EMAIL, one is made that belongs to no structure; its first password is printed."""
    from .services.networks import NetworkRefused, add_coordinator

    try:
        added, password = add_coordinator(db.session, _network(name), email, name=person_name)
    except NetworkRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{email} {'now coordinates' if added else 'already coordinated'} {name}.")
    if password:
        click.echo(f"New account; first password (shown once): {password}")


@networks.command("add-structure")
@click.argument("name")
@click.argument("structure_id", type=int)
def add_network_structure_command(name, structure_id):
    """Make a structure a member of a network."""
    from .services.networks import NetworkRefused, join

    try:
        added = join(db.session, _network(name), structure_id)
    except NetworkRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Structure {structure_id} {'joined' if added else 'was already in'} {name}.")


@click.command("check-browser-libraries")
@with_appcontext
def check_browser_libraries_command():
    """Fail unless the browser libraries (the QR scanner) are installed: `npm ci --omit=dev` installs them."""
    from flask import current_app

    from .vendor import missing_browser_libraries, vendor_folder

    missing = missing_browser_libraries(current_app)
    if missing:
        raise click.ClickException(f"missing in {vendor_folder(current_app)}: {', '.join(missing)}; "
                                   "run `npm ci --omit=dev` in the project folder")
    click.echo("Browser libraries installed.")


till = AppGroup("till", help="The till: its chain of sales and closes.")


@till.command("verify")
def verify_till_command():
    """Check every structure's chain of sales and closes; exit 1 if a record was changed, removed or added."""
    from .services.till.chain import verify

    broken = False
    for structure_id in db.session.scalars(sa.select(Structure.id).order_by(Structure.id)).all():
        with scoped_to(structure_id):
            checked, problems = verify(db.session)
        for problem in problems:
            click.echo(f"structure {structure_id}: {problem.what}", err=True)
        broken = broken or bool(problems)
        if checked:
            click.echo(f"structure {structure_id}: {checked} records, {'BROKEN' if problems else 'chain intact'}")
    if broken:
        raise SystemExit(1)


def init_app(app) -> None:
    app.cli.add_command(till)
    app.cli.add_command(tenants)
    app.cli.add_command(personal_data)
    app.cli.add_command(users)
    app.cli.add_command(structures)
    app.cli.add_command(networks)
    app.cli.add_command(upgrade_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(check_browser_libraries_command)


