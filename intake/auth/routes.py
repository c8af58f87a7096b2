"""Signing in and out, and my account: API tokens, signing out everywhere."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..clock import now_utc
from ..extensions import db, limiter
from ..services.accounts import AccountError, authenticate, end_sessions, issue_token, revoke_token, tokens_of
from .forms import LoginForm, TokenForm
from ..web.urls import safe_next
from ..web.access import choose_structure, start_session_clock
from ..web.today import POINT_KEY, SOURCE_KEY

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """The sign-in page; after it, back to where the user was going."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
        else:
            login_user(user)
            start_session_clock()
            return redirect(next_url or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/structure", methods=["POST"])
@login_required
def switch_structure():
    """Work in another of my structures (a volunteer helping two ressourceries); the phone remembers it.
    The day's collection point belongs to the structure left, so it is forgotten."""
    response = redirect(safe_next(request.form.get("next")) or url_for("main.home"))
    if not choose_structure(current_user, request.form.get("structure_id", type=int) or 0, response):
        abort(404)
    session.pop(POINT_KEY, None)
    session.pop(SOURCE_KEY, None)
    return response


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST with the CSRF token, so no other site can sign anybody out). The session ends on
    the server too: a copy of its cookie no longer works, nor do the account's other sessions."""
    return _signed_out(_("You are signed out."))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every session of my account: a lost phone, a shared computer left signed in."""
    return _signed_out(_("You are signed out on every device."))


def _signed_out(message: str):
    end_sessions(db.session, current_user)
    language = session.get("lang")
    logout_user()
    # Forget the collection point and source chosen for the day, too.
    session.clear()
    if language:
        session["lang"] = language
    flash(message, "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    """My account: my API tokens (named, expiring, when last used) and signing out everywhere."""
    return _account_page(TokenForm())


def _account_page(form: TokenForm, new_token: str | None = None, status: int = 200):
    return render_template("auth/account.html", form=form, new_token=new_token, now=now_utc(),
                           tokens=tokens_of(db.session, current_user)), status


@bp.route("/account/tokens", methods=["POST"])
@login_required
def new_token():
    """A new API token, shown once on the page that answers."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(form, status=422)
    try:
        token = issue_token(db.session, current_user, name=form.name.data, days=form.days.data,
                            read_only=form.read_only.data)
    except AccountError as error:
        form.form_errors.append(str(error))
        return _account_page(form, status=422)
    return _account_page(TokenForm(), new_token=token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of my tokens: scripts using it get 401 from now on."""
    if revoke_token(db.session, token_id, owner=current_user) is None:
        abort(404)
    flash(_("Token revoked."), "success")
    return redirect(url_for("auth.account"))
