"""Outgoing mail, only where it is configured (``MAIL_SERVER``): without it, nothing is sent and nothing fails.

``memory://`` keeps the messages in ``app.extensions["mail_outbox"]`` (tests, a demo). A server that does
not answer is logged, without any address, and the work it followed stands.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

MEMORY = "memory://"


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str | None, subject: str, body: str) -> bool:
    """Send one plain-text message; False when mail is off, there is no address, or the server failed."""
    config = current_app.config
    if not to or not mail_configured():
        return False
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "intake@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server = config["MAIL_SERVER"]
    if server == MEMORY:
        current_app.extensions.setdefault("mail_outbox", []).append(message)
        return True
    host, _, port = server.partition(":")
    try:
        with smtplib.SMTP(host, int(port or 25), timeout=10) as smtp:
            if config.get("MAIL_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail not sent: %s", type(error).__name__)
        return False
    return True
