"""The webhooks page under /admin (admins only): the clinic's endpoints, a form that subscribes a
new one and shows its signing secret once, "switch off", and the delivery log with "send again"."""

import secrets

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired

from hepbuilder.config import webhook_key
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.domain.limits import WEBHOOK_LIMITS
from hepbuilder.services import webhooks

from .admin import bp
from .auth import current_actor
from .database import get_db
from .forms import MultiCheckboxField, add_service_errors, at_most, choices_of

_FORMS_USED = "webhook_forms_used"  # session key: the `once` values already turned into endpoints


class WebhookForm(FlaskForm):
    url = StringField(
        "Address",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description="Where the practice-management system receives events: an https:// address.",
        validators=[
            DataRequired("Enter the address that should receive the events."),
            at_most(WEBHOOK_LIMITS["url"]),
        ],
        render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    events = MultiCheckboxField(
        "Events",
        choices=choices_of([(name, f"{name}: {words}") for name, words in webhooks.EVENTS.items()]),
        default=list(webhooks.EVENTS),
        validators=[DataRequired("Choose at least one event.")],
    )
    once = HiddenField()  # a reload of the page showing the secret creates no second endpoint


def _fresh_form() -> WebhookForm:
    form = WebhookForm(formdata=None)
    form.once.data = secrets.token_urlsafe(16)
    return form


def _key() -> str:
    return current_app.config.get("WEBHOOK_KEY") or webhook_key()


def _page(form: WebhookForm, status: int = 200, new_endpoint=None, secret: str | None = None):
    db = get_db()
    actor = current_actor()
    endpoints = webhooks.list_endpoints(db, actor)
    return (
        render_template(
            "admin/webhooks.html",
            form=form,
            endpoints=endpoints,
            urls={endpoint.id: endpoint.url for endpoint in endpoints},
            deliveries=webhooks.list_deliveries(db, actor),
            event_count=len(webhooks.EVENTS),
            new_endpoint=new_endpoint,
            secret=secret,
        ),
        status,
    )


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks_page():
    if request.method == "GET":
        return _page(_fresh_form())
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    used = session.get(_FORMS_USED, [])
    if form.once.data and form.once.data in used:
        flash(
            "That form was already sent, and its endpoint created; its secret was shown only "
            "then. If you did not copy it, switch that endpoint off and create another.",
            "info",
        )
        return redirect(url_for("admin.webhooks_page"))
    db = get_db()
    try:
        endpoint, secret = webhooks.create_endpoint(
            db, current_actor(), form.url.data, form.events.data, key=_key()
        )
    except ValidationError as error:
        db.rollback()
        add_service_errors(form, error)
        return _page(form, 422)
    db.commit()
    if form.once.data:
        session[_FORMS_USED] = [*used, form.once.data][-20:]
    # Shown in this response only: never flashed or put in the session cookie.
    return _page(_fresh_form(), 200, new_endpoint=endpoint, secret=secret)


@bp.post("/webhooks/<int:endpoint_id>/disable")
def disable_webhook(endpoint_id: int):
    db = get_db()
    endpoint = webhooks.disable_endpoint(db, current_actor(), endpoint_id)
    db.commit()
    flash(f"{endpoint.url} is switched off: it receives no more events.", "success")
    return redirect(url_for("admin.webhooks_page"))


@bp.post("/webhooks/deliveries/<int:delivery_id>/retry")
def retry_webhook(delivery_id: int):
    db = get_db()
    try:
        webhooks.send_again(db, current_actor(), delivery_id)
    except Conflict as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.webhooks_page"))
    db.commit()
    flash("The delivery is queued again, with a fresh set of attempts.", "success")
    return redirect(url_for("admin.webhooks_page"))
