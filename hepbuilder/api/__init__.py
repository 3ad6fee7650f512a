"""JSON API v1 layer (/api/v1): thin adapters over services, bearer-token auth."""

from flask import Flask


def register_api(app: Flask) -> None:
    """The blueprint under /api/v1, and what every /api/ response carries (request id, caching)."""
    from . import request_meta
    from .routes import bp

    request_meta.init_app(app)
    app.register_blueprint(bp)
