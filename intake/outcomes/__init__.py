"""Second life: sales, handovers to tenants, returns, recycling batches."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
