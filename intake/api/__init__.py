"""The JSON API under /api/v1, with its OpenAPI document."""


def init_app(app) -> None:
    from ..extensions import api
    from .documentation import ErrorResponses
    from .routes import register_api

    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})
    register_api(app)
