"""Partnerships: the partners' pipeline and timeline, their contact persons, conventions, the map of the
territory's actors and the CSV import (coordinators only)."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
