"""Pages without a staff login: the info screen and the self check-in tablet.

Neither shows anything personal beyond a citizen's first name, and that only on the
tablet right after the citizen entered their own code. Self check-in works only on a
device that a staff member started (admin.kiosk) and has not revoked since.
"""

import logging
from datetime import datetime, timedelta

from flask import (
    Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, session,
    url_for,
)

from admin import kiosk, queries, services
from admin.forms import CheckinForm
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db, limiter
from pastid.timeutil import format_time, local_today, now_utc, zone

logger = logging.getLogger(__name__)

bp = Blueprint("public", __name__)

RESULT_KEY = "self_checkin_result"


def _tz():
    return zone(current_app.config["TIMEZONE"])


def _self_checkin_limit():
    return current_app.config["RATELIMIT_SELF_CHECKIN"]


def _screen_limit():
    return current_app.config["RATELIMIT_API"]


# The info screen.

def _calls():
    tz = _tz()
    return [{"label": call.label, "unit": call.unit_name, "counter": call.counter_name or "",
             "time": format_time(call.called_at.astimezone(tz))}
            for call in queries.list_recent_calls(local_today(tz, now_utc()), tz)]


@bp.get("/screen")
@limiter.limit(_screen_limit)
def screen():
    return render_template("admin/screen.html", calls=_calls())


@bp.get("/screen/data.json")
@limiter.limit(_screen_limit)
def screen_data():
    response = jsonify(calls=_calls())
    response.headers["Cache-Control"] = "no-store"
    return response


# Self check-in.

def _device():
    """Return the self check-in device of this browser, or abort with 403."""
    device = kiosk.get_active_device(request.cookies.get(kiosk.COOKIE_NAME))
    if device is None:
        logger.warning("self check-in rejected: no active device cookie")
        abort(403)
    return device


def _first_name(booking):
    return (booking.name or "").split(" ")[0] if booking and booking.name else ""


def _remember(result):
    booking = result.booking
    stored = {"outcome": result.outcome.value}
    if booking is not None and result.outcome in (services.Outcome.CHECKED_IN,
                                                  services.Outcome.ALREADY_CHECKED_IN):
        stored["first_name"] = _first_name(booking)
        stored["code_tail"] = booking.code[-queries.SCREEN_CODE_CHARACTERS:]
    if booking is not None and result.outcome != services.Outcome.CANCELLED:
        stored["start"] = booking.start_at.isoformat()
    session[RESULT_KEY] = stored


def _pop_result(window):
    stored = session.pop(RESULT_KEY, None)
    if stored and "start" in stored:
        stored["start"] = datetime.fromisoformat(stored["start"])
        stored["earliest"] = stored["start"] - timedelta(minutes=window.early_minutes)
    return stored


@bp.route("/ankomst", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_self_checkin_limit, methods=["POST"])
def self_checkin():
    device = _device()
    form = CheckinForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        now = now_utc()
        # accept_late is ignored here: only a staff member can accept a late arrival.
        result = services.check_in(
            form.code.data, now=now, tz=_tz(), window=services.CheckinWindow.from_config(
                current_app.config), actor_id=None, device_id=device.id)
        kiosk.touch_device(device, now)
        db.session.commit()
        _remember(result)
        return redirect(url_for("public.self_checkin"), code=303)
    form.code.data = ""
    window = services.CheckinWindow.from_config(current_app.config)
    return render_template("admin/self_checkin.html", form=form, result=_pop_result(window))
