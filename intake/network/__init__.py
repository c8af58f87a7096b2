"""Networks: their coordinators' figures across member structures, onboarding a structure, and a
structure's coordinators leaving a network."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
