"""People: insertion jobs, self-repair workshop sessions (the door's check-in), members and volunteers'
hours, and their figures for the funders."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
