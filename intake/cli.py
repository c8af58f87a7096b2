"""Command-line tasks: ``flask --app intake <command>``."""

from __future__ import annotations

import click
import sqlalchemy as sa

from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade as migrate_upgrade

from .extensions import db
from .models import Organisation, User
from .models.user import ROLES

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="Display name (default: the part of the e-mail before @).")
@click.option("--org", "organisation_name", default=None, help="Organisation name (required for a landlord).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given.")
def create_user_command(email, role, name, organisation_name, password):
    """Create an account."""
    from .services.accounts import AccountError, create_user

    organisation = None
    if organisation_name:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation_name))
        if organisation is None:
            raise click.ClickException(f"no organisation named {organisation_name!r}")
    try:
        user = create_user(db.session, email=email, name=name, role=role, password=password,
                           organisation=organisation)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}.")


@users.command("token")
@click.argument("email")
def token_command(email):
    """Print a new API bearer token for an account (shown once, keep it safe)."""
    from .services.accounts import issue_token, normalize_email

    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no account for {email}")
    click.echo(issue_token(db.session, user))


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


tenants = AppGroup("tenants", help="Tenants' identities (GDPR).")


@tenants.command("purge")
def purge_tenants_command():
    """Delete tenants' names, contacts and signatures past the retention period (run it daily)."""
    from .clock import local_today
    from .services.tenants import purge_expired_identities

    deleted = purge_expired_identities(db.session, local_today())
    click.echo(f"{deleted} tenant identities past the retention period deleted.")


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


def register_commands(app) -> None:
    app.cli.add_command(tenants)
    app.cli.add_command(users)
    app.cli.add_command(upgrade_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(check_browser_libraries_command)


