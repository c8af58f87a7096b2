"""The social landlord's portal: its own handovers, and nothing else."""


def init_app(app) -> None:
    from . import faults  # noqa: F401  (its routes join the portal's blueprint)
    from .routes import bp

    app.register_blueprint(bp)
