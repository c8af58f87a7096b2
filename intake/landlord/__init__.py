"""The social landlord's portal: its own handovers, and nothing else."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
