"""Handouts: POST /programs/<id>/handouts (issue), GET /handouts/<id>.pdf."""

from flask import Response, g, url_for

from hepbuilder.services import handouts
from hepbuilder.web.database import get_db

from .. import idempotency, schemas
from .common import answer, bp, checked_id, read_body


@bp.post("/programs/<int:program_id>/handouts")
def issue_handout(program_id: int):
    data = read_body(schemas.HANDOUT_ISSUE, optional=True)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    handout = handouts.issue_handout(session, g.actor, checked_id(program_id), data.get("version"))
    pdf_url = url_for("api.handout_pdf", handout_id=handout.id)
    body = {"id": handout.id, "pdf_url": pdf_url, "share_url": None}
    return answer(body, 201, pdf_url)


@bp.get("/handouts/<int:handout_id>.pdf")
def handout_pdf(handout_id: int):
    session = get_db()
    handout, pdf = handouts.get_handout_pdf(
        session, g.actor, checked_id(handout_id), purpose="download"
    )
    session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{handouts.suggested_filename(handout)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
