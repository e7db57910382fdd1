"""Front desk: check-in by code or QR scan, walk-ins, the day view, self check-in devices."""

import logging
from datetime import timedelta

from flask import (
    current_app, flash, g, jsonify, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext

from admin import kiosk, queries, services
from admin.auth import end_session, role_required
from admin.forms import CheckinForm, KioskStartForm, WalkInForm
from admin.labels import PURPOSE_LABELS, STATUS_LABELS, WALK_IN_STATUS_LABELS
from admin.models import KioskDevice, Role
from admin.views import bp
from admin.views.common import actor_id, checkin_window, parse_day, today, tz
from booking import queries as booking_queries
from booking.forms import ActionForm
from booking.models import Booking
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db
from pastid.timeutil import format_time, now_utc

logger = logging.getLogger(__name__)

RESULT_KEY = "checkin_result"


# Check-in.

def remember_result(result, raw_code):
    """Keep the check-in result for the page shown after the redirect."""
    session[RESULT_KEY] = {
        "outcome": result.outcome.value, "code": result.code, "raw": raw_code[:20],
        "booking_id": result.booking.id if result.booking else None}


def pop_result(window, now):
    """Return the remembered check-in result with its booking loaded, or None.

    For a booking it adds the earliest check-in instant and the minutes since the
    booked start, which the too-early and too-late messages show.
    """
    stored = session.pop(RESULT_KEY, None)
    if not stored:
        return None
    booking = db.session.get(Booking, stored["booking_id"]) if stored["booking_id"] else None
    result = {**stored, "booking": booking}
    if booking is not None:
        result["earliest"] = booking.start_at - timedelta(minutes=window.early_minutes)
        result["minutes_late"] = int((now - booking.start_at).total_seconds() // 60)
    return result


@bp.route("/ankomst", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def checkin():
    form = CheckinForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        result = services.check_in(
            form.code.data, now=now_utc(), tz=tz(), window=checkin_window(),
            actor_id=actor_id(), accept_late=form.accept_late.data == "1")
        db.session.commit()
        remember_result(result, form.code.data)
        return redirect(url_for("admin.checkin"), code=303)
    form.code.data = ""
    return render_template("admin/checkin.html", form=form,
                           result=pop_result(checkin_window(), now_utc()))


# Walk-ins.

@bp.route("/uden-tid", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def walk_in_new():
    form = WalkInForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        walk_in = services.register_walk_in(form.purpose.data, int(form.persons.data),
                                            now=now_utc(), tz=tz(), actor_id=actor_id())
        db.session.commit()
        flash(gettext("Borgeren er registreret med nummer %(ticket)s. Nummeret vises på "
                      "skærmen, når borgeren bliver kaldt op.", ticket=walk_in.ticket), "success")
        return redirect(url_for("admin.walk_in_new"), code=303)
    return render_template("admin/walk_in.html", form=form,
                           walk_ins=queries.list_day_walk_ins(today()))


# The day view.

def _selected_unit_id(units):
    raw = request.args.get("enhed", "")
    unit_ids = {unit.id for unit in units}
    return int(raw) if raw.isdigit() and int(raw) in unit_ids else None


def _time(instant):
    return format_time(instant.astimezone(tz())) if instant else ""


def day_rows(day, unit_id):
    """Return the day view's rows as plain values, shared by the page and its JSON."""
    rows = []
    for booking in queries.list_day_bookings(day, tz(), unit_id):
        rows.append({
            "id": booking.id, "time": f"{_time(booking.start_at)}–{_time(booking.end_at)}",
            "unit": booking.unit.name, "code": booking.code, "name": booking.name or "",
            "persons": booking.persons, "purpose": str(PURPOSE_LABELS[booking.purpose]),
            "status": booking.status, "status_label": str(STATUS_LABELS[booking.status]),
            "checked_in": _time(booking.checked_in_at), "called": _time(booking.called_at),
            "served": _time(booking.served_at),
            "url": url_for("admin.booking_detail", booking_id=booking.id)})
    return rows


def walk_in_rows(day):
    return [{
        "ticket": walk_in.ticket, "purpose": str(PURPOSE_LABELS[walk_in.purpose]),
        "persons": walk_in.persons, "status": walk_in.status,
        "status_label": str(WALK_IN_STATUS_LABELS[walk_in.status]),
        "unit": walk_in.unit.name if walk_in.unit else "", "arrived": _time(walk_in.arrived_at),
        "called": _time(walk_in.called_at), "served": _time(walk_in.served_at)}
        for walk_in in queries.list_day_walk_ins(day)]


@bp.get("/dag")
@role_required(Role.FRONTDESK)
def day_view():
    units = booking_queries.list_units(active_only=False)
    day = parse_day(request.args.get("dato"), today())
    unit_id = _selected_unit_id(units)
    return render_template(
        "admin/day.html", units=units, unit_id=unit_id, day=day, rows=day_rows(day, unit_id),
        walk_ins=walk_in_rows(day), updated=_time(now_utc()),
        data_url=url_for("admin.day_data", dato=day.isoformat(), enhed=unit_id or ""))


@bp.get("/dag/data.json")
@role_required(Role.FRONTDESK)
def day_data():
    units = booking_queries.list_units(active_only=False)
    day = parse_day(request.args.get("dato"), today())
    unit_id = _selected_unit_id(units)
    response = jsonify(bookings=day_rows(day, unit_id), walk_ins=walk_in_rows(day),
                       updated=_time(now_utc()))
    response.headers["Cache-Control"] = "no-store"
    return response


# Self check-in devices.

@bp.route("/selvbetjening", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def kiosk_list():
    form = KioskStartForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        device, token = kiosk.start_device(form.name.data, actor_id=actor_id(), now=now_utc())
        db.session.commit()
        # The tablet is left in public use, so the staff member's session ends here.
        end_session()
        response = redirect(url_for("public.self_checkin"), code=303)
        response.set_cookie(
            kiosk.COOKIE_NAME, token, max_age=kiosk.COOKIE_MAX_AGE, httponly=True,
            samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response
    return render_template("admin/kiosk.html", form=form, devices=queries.list_kiosk_devices())


@bp.post("/selvbetjening/<int:device_id>/stop")
@role_required(Role.FRONTDESK)
def kiosk_revoke(device_id):
    device = db.get_or_404(KioskDevice, device_id)
    form = ActionForm()
    if form.validate_on_submit():
        kiosk.revoke_device(device, actor_id=actor_id(), now=now_utc())
        db.session.commit()
        flash(gettext("Selvbetjeningen på %(name)s er stoppet.", name=device.name), "success")
    return redirect(url_for("admin.kiosk_list"), code=303)
