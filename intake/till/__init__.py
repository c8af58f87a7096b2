"""The till (caisse): sessions, baskets, tickets, refunds, the Z, payment methods, the archive."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
