"""The installable app: manifest, service worker, offline page."""


def init_app(app) -> None:
    from .routes import bp, refresh_static_version

    # The service worker's cache is named after the static files' content: a deploy that changes
    # any of them updates every phone, and old and new files never mix.
    refresh_static_version(app)
    app.register_blueprint(bp)
