"""A patient's private link, `/p/<token>`: no sign-in, made for a phone, no JavaScript needed.

It shows the latest handout (brand, each exercise with its picture, dose in words, steps, tips,
cautions, the therapist's notes, the pain rule and, for back and hip programs, the urgent-care
box) with the PDF to download, and earlier handouts
below. Every bad token (unknown, malformed, revoked, expired) gets the same plain 404 page.
Every response here is no-store, no-referrer and noindex; the page loads only this server's
stylesheet, logo and PDFs, with no inline script or style.
"""

from flask import Blueprint, Response, abort, render_template, request, url_for

from hepbuilder.domain.dose import describe_dose
from hepbuilder.domain.errors import NotFound, ValidationError
from hepbuilder.domain.exercise import drawn_for_side
from hepbuilder.domain.image_bytes import image_kind
from hepbuilder.domain.pain_rule import PAIN_RULE_TITLE, pain_rule
from hepbuilder.domain.safety_words import red_flags_for
from hepbuilder.domain.spec import parse_spec
from hepbuilder.domain.steps import steps_for_dose
from hepbuilder.illustrations import frame_labels
from hepbuilder.illustrations.caption import one_side_words
from hepbuilder.services import patient_links
from hepbuilder.services.handouts import handout_spec, patient_filename

from .addresses import id_url
from .database import get_db
from .delivery import link_signer
from .handouts import pdf_response
from .page_context import safe_color

bp = Blueprint("patient_links", __name__, url_prefix="/p")

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


@bp.after_request
def _private_headers(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


def not_found() -> tuple[str, int]:
    """The one answer for every token that does not open a program: nothing about anyone."""
    return render_template("patient_links/not_found.html"), 404


def _remote_addr() -> str:
    return request.remote_addr or ""


def _picture(item, accent_hex: str) -> dict:
    """The item's drawing: one SVG ("illustration"), or for a picture of several frames one SVG
    a frame, all at one scale, each with its label ("frames": (svg, label) pairs), for the page
    to lay out two to a row on a phone and to set the labels as text under them (inside an SVG a
    label shrinks with the picture, to a few pixels on a phone)."""
    from .exercises import frame_markups, illustration_markup

    side = item.dose.side
    labels = frame_labels(drawn_for_side(item.exercise, side).illustration)
    if len(labels) < 2:
        return {"illustration": illustration_markup(item.exercise, accent_hex, side=side)}
    svgs = frame_markups(item.exercise, accent_hex, side=side)
    return {"frames": list(zip(svgs, labels, strict=True)) if svgs else []}


def _caption(item) -> str:
    from .exercises import illustration_words

    return illustration_words(item.exercise, side=item.dose.side)


@bp.get("/<token>")
def show(token: str):
    db = get_db()
    every_earlier = request.args.get("earlier") == "all"
    try:
        opened = patient_links.open_link(
            db,
            token,
            link_signer(),
            _remote_addr(),
            earlier=None if every_earlier else patient_links.EARLIER_SHOWN,
        )
    except NotFound:
        return not_found()
    db.commit()
    latest = opened.latest
    try:
        spec = parse_spec(handout_spec(latest))
    except ValidationError:  # a snapshot is valid when stored; this guards a damaged row
        abort(500)
    accent = safe_color(spec.clinic.brand_color)
    items = [
        {
            "item": item,
            "dose_words": describe_dose(item.dose),
            "steps": steps_for_dose(item.exercise.steps, item.dose),  # as the handout prints them
            "one_side": one_side_words(
                item.exercise.illustration, item.dose.side, bool(item.exercise.printed_photos)
            ),
            "photos": [
                (url_for("patient_links.photo", token=token, item=index, number=number), photo)
                for number, photo in enumerate(item.exercise.printed_photos, start=1)
            ],
            **({} if item.exercise.printed_photos else _picture(item, accent)),
            "caption": "" if item.exercise.printed_photos else _caption(item),
        }
        for index, item in enumerate(spec.items, start=1)
    ]
    return render_template(
        "patient_links/show.html",
        token=token,
        spec=spec,
        latest=latest,
        earlier=opened.earlier,
        earlier_count=opened.earlier_count,
        download_url=id_url("patient_links.download", "number", token=token),
        items=items,
        has_logo=bool(spec.clinic.logo_bytes),
        brand_color=accent,
        pain_rule=pain_rule(spec.clinic.name, spec.clinic.phone),
        pain_rule_title=PAIN_RULE_TITLE,
        red_flags=red_flags_for(spec),  # the handout's "Get help straight away" box, if any
    )


@bp.get("/<token>/handouts/<int:number>.pdf")
def download(token: str, number: int):
    db = get_db()
    try:
        handout, pdf = patient_links.download_through_link(
            db, token, number, link_signer(), _remote_addr()
        )
    except NotFound:
        return not_found()
    db.commit()
    return pdf_response(pdf, patient_filename(handout))


def _latest_spec(token: str):
    """The parsed snapshot of the latest handout `token` opens, or None (the logo and photos)."""
    try:
        opened = patient_links.resolve_token(get_db(), token, link_signer())
    except NotFound:
        return None
    return parse_spec(handout_spec(opened.latest))


def _image_response(data: bytes) -> Response:
    return Response(data, mimetype=f"image/{image_kind(data) or 'png'}")


@bp.get("/<token>/logo.png")
def logo(token: str):
    """The logo printed on the latest handout (its snapshot), for the page's header."""
    spec = _latest_spec(token)
    if spec is None or not spec.clinic.logo_bytes:
        return not_found()
    return _image_response(spec.clinic.logo_bytes)


@bp.get("/<token>/photos/<int:item>/<int:number>.jpg")
def photo(token: str, item: int, number: int):
    """Photo `number` of exercise `item` (both from 1) as the latest handout printed it (from
    its snapshot), for the page's exercises."""
    spec = _latest_spec(token)
    if spec is None or item > len(spec.items):
        return not_found()
    photos = spec.items[item - 1].exercise.printed_photos
    if number > len(photos):
        return not_found()
    return _image_response(photos[number - 1].data)


@bp.get("/brand/<color>.css")
def brand_css(color: str):
    """The brand colour as a CSS variable (a file, so the page needs no inline style)."""
    hex_color = safe_color("#" + color)
    return Response(f":root {{ --brand: {hex_color}; }}\n", mimetype="text/css")


@bp.get("/", defaults={"anything": ""})
@bp.get("/<path:anything>")
def anything_else(anything: str):
    return not_found()
