"""The API's description of itself: GET /openapi.json (no token needed)."""

import json

from flask import current_app

from ..openapi import build_document
from .common import bp


@bp.get("/openapi.json")
def openapi():
    return current_app.response_class(
        json.dumps(build_document(current_app.config["PUBLIC_URL"]), indent=1),
        mimetype="application/json",
    )
