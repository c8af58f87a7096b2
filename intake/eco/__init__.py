"""The eco-organism's portal: the recycling batches handed to it, from every structure it collects from."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
