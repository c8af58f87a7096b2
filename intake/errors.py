"""Error pages: in the user's language for people, JSON for the API."""

from __future__ import annotations

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from .extensions import api, db

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in."),
    403: _l("Your account cannot open this page."),
    404: _l("Nothing here. Check the code on the label, or scan it again."),
    405: _l("This action is not allowed here."),
    409: _l("The item changed meanwhile."),
    413: _l("The file is too large: send a photo of at most %(mb)s MB."),
    422: _l("Some values are not valid."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. Try again in a moment."),
    503: _l("The service is unavailable for a moment."),
}
CSRF_MESSAGE = _l("The form expired or came from another site. Reload the page and try again.")


def init_app(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def is_api_request() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def error_message(code: int) -> str:
    message = MESSAGES.get(code) or MESSAGES[500 if code >= 500 else 400]
    return message % {"mb": current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)}


def handle_csrf_error(error: CSRFError):
    if is_api_request():
        error.description = "CSRF token missing or invalid: send it in the X-CSRFToken header."
        return api.handle_http_exception(error)
    return render_template("errors/error.html", code=400, message=CSRF_MESSAGE), 400


def handle_http_error(error: HTTPException):
    response = make_response(_http_error_response(error))
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        # A 405 names the methods the address accepts.
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _http_error_response(error: HTTPException):
    if is_api_request():
        # flask-smorest's JSON body, with validation details when there are some.
        return api.handle_http_exception(error)
    code = error.code or 500
    if request.headers.get("X-Intake-Submit") == "1":
        # The intake page's own script (and the outbox sending a photo) shows the reason where it belongs.
        return jsonify(message=error_message(code)), code
    return render_template("errors/error.html", code=code, message=error_message(code)), code


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if is_api_request():
        return api.handle_http_exception(InternalServerError())
    return render_template("errors/error.html", code=500, message=error_message(500)), 500


