"""Health checks for a load balancer or an orchestrator, open to anyone and never cached:
`/healthz` answers 200 while the process serves requests (it touches nothing, so a database
outage does not get every app server restarted); `/readyz` answers 200 only when the database
answers and its schema is current, else 503, so traffic goes to servers that can serve it.
Neither says more than "ok" or what is wrong in a few words, and neither sets a cookie."""

from flask import Blueprint, jsonify

from hepbuilder.services.health import readiness

from .auth import public
from .database import get_db

bp = Blueprint("health", __name__)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def healthz():
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
@public
def readyz():
    answer = readiness(get_db())
    return _answer(answer, 200 if answer["status"] == "ok" else 503)
