


def init_app(app) -> None:
    from . import tickets  # noqa: F401  (after-sales routes join the workshop's blueprint)
    from .routes import bp

    app.register_blueprint(bp)
