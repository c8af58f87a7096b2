


def init_app(app) -> None:
    from . import faults  # noqa: F401  (the buyer's fault report joins the items' blueprint)
    from .routes import bp

    app.register_blueprint(bp)
