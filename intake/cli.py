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


def init_app(app) -> None:
    app.cli.add_command(tenants)
    app.cli.add_command(users)
    app.cli.add_command(upgrade_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(check_browser_libraries_command)


