"""The audit trail's pages under /admin (on the admin blueprint, so for admins only): the events
in words in the clinic's time zone, filtered by patient, user, kind and date, keyset-paged, as CSV,
and the clinic's time-zone setting."""

import csv
import datetime as dt
import io
from zoneinfo import available_timezones

from flask import Response, flash, redirect, render_template, request, url_for

from hepbuilder.domain.errors import ValidationError
from hepbuilder.services import audit as audit_trail
from hepbuilder.services import clinics
from hepbuilder.services import users as user_accounts
from hepbuilder.services.audit_words import describe

from .addresses import bounded_int_arg
from .admin import bp
from .auth import current_actor
from .database import get_db


def _date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


def _filters() -> audit_trail.AuditFilter:
    return audit_trail.AuditFilter(
        patient_id=bounded_int_arg("patient"),
        user_id=bounded_int_arg("user"),
        kind=request.args.get("kind", "") if request.args.get("kind") in audit_trail.KINDS else "",
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
    )


def _filter_args(filters: audit_trail.AuditFilter) -> dict:
    args = {
        "patient": filters.patient_id,
        "user": filters.user_id,
        "kind": filters.kind,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
    }
    return {name: value for name, value in args.items() if value}


def _local(moment: dt.datetime, zone) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone)


@bp.route("/audit")
def audit():
    db = get_db()
    actor = current_actor()
    filters = _filters()
    before_id = bounded_int_arg("before")
    page = audit_trail.list_audit_events(db, actor, filters, before_id=before_id)
    zone = audit_trail.clinic_zone(db, actor)
    return render_template(
        "admin/audit.html",
        page=page,
        rows=[(entry, describe(entry), _local(entry.created_at, zone)) for entry in page.entries],
        zone=zone.key,
        zones=sorted(available_timezones()),
        filters=filters,
        filter_args=_filter_args(filters),
        kinds=audit_trail.KINDS,
        users=user_accounts.list_users(db, actor),
        before_id=before_id,
    )


@bp.route("/audit.csv")
def audit_csv():
    """Every event the filters select, newest first, as CSV (times in the clinic's zone)."""
    db = get_db()
    actor = current_actor()
    zone = audit_trail.clinic_zone(db, actor)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "time", "who", "action", "event", "patient_id", "handout_id", "from"])
    for entry in audit_trail.iter_audit_events(db, actor, _filters()):
        writer.writerow(
            [
                entry.id,
                _local(entry.created_at, zone).isoformat(timespec="seconds"),
                _csv_safe(entry.who),
                entry.action,
                _csv_safe(describe(entry)),
                entry.patient_id or "",
                entry.handout_id or "",
                entry.remote_addr,
            ]
        )
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a name may start with = + - @)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.post("/audit/time-zone")
def audit_time_zone():
    db = get_db()
    try:
        clinic = clinics.set_time_zone(db, current_actor(), request.form.get("time_zone", ""))
    except ValidationError:
        db.rollback()
        flash("Choose a time zone from the list, such as Europe/London.", "error")
    else:
        db.commit()
        flash(f"Times are now shown in {clinic.time_zone}.", "success")
    return redirect(url_for("admin.audit"))
