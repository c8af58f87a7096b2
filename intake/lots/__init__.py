"""Goods counted by weight: lots brought without labels, the kg leaving each category, its stock."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
