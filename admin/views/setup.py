"""Units, counters, opening hours, closures and holiday rules.

Changes that would cancel existing bookings show the affected bookings first and
take effect only when the staff member confirms (see admin.schedule).
"""

import logging
from datetime import datetime, time, timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from admin import queries, schedule
from admin.auth import role_required
from admin.forms import (
    WEEKDAY_LABELS, ClosureForm, CounterForm, HolidayRulesForm, HoursForm, UnitForm,
    parse_periods,
)
from admin.models import Counter, Role
from admin.notifications import send_closure_cancellation
from admin.views import bp
from admin.views.common import actor_id, booking_settings, parse_day, tz
from booking import queries as booking_queries
from booking.forms import ActionForm
from booking.models import Closure, Unit
from booking.slots import DEFAULT_HOLIDAY_MODES, OPTIONAL_CLOSING_DAYS
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db
from pastid.timeutil import format_time, now_utc

logger = logging.getLogger(__name__)


# Confirmation of changes that cancel bookings.

def _confirmed_ids():
    """Return the booking ids the staff member confirmed, or None before confirmation."""
    raw = request.form.get("confirmed")
    if raw is None:
        return None
    return {int(part) for part in raw.split(",") if part.isdigit()}


def _ask_confirmation(bookings, title):
    """Show the bookings a change would cancel, with the form's values to post again."""
    fields = [(name, value) for name, values in request.form.lists()
              for value in values if name not in ("csrf_token", "confirmed")]
    return render_template(
        "admin/confirm_cancellations.html", bookings=bookings, title=title, fields=fields,
        confirmed=",".join(str(booking.id) for booking in bookings),
        changed=_confirmed_ids() is not None, action=request.full_path.rstrip("?"))


def _notify(cancelled):
    """Mail every citizen whose booking the change cancelled, after the commit."""
    for booking in cancelled:
        send_closure_cancellation(booking)
    if cancelled:
        flash(ngettext("%(num)s booking er aflyst, og borgeren har fået besked.",
                       "%(num)s bookinger er aflyst, og borgerne har fået besked.",
                       len(cancelled)), "info")


def _unit_values(form):
    return schedule.UnitValues(
        name=form.name.data, location=form.location.data or "", position=form.position.data,
        slot_minutes=form.slot_minutes.data, horizon_days=form.horizon_days.data,
        lead_minutes=form.lead_minutes.data, is_active=form.is_active.data)


def _hours_error_message(error, slot_minutes):
    period = f"{format_time(error.period[0])}–{format_time(error.period[1])}"
    day = WEEKDAY_LABELS[error.weekday]
    if error.reason == "order":
        return gettext("%(day)s: %(period)s slutter ikke efter, at den begynder.",
                       day=day, period=period)
    if error.reason == "overlap":
        return gettext("%(day)s: %(period)s overlapper en anden periode samme dag.",
                       day=day, period=period)
    return gettext("%(day)s: %(period)s kan ikke deles i tider af %(minutes)s minutter. "
                   "Ret perioden eller længden af en tid.", day=day, period=period,
                   minutes=slot_minutes)


# Units.

@bp.get("/enheder")
@role_required(Role.ADMIN)
def unit_list():
    return render_template("admin/units.html",
                           units=booking_queries.list_units(active_only=False),
                           counters=queries.list_counters(), weekdays=WEEKDAY_LABELS)


@bp.route("/enheder/ny", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def unit_new():
    form = UnitForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            unit = schedule.create_unit(_unit_values(form), actor_id=actor_id(), now=now_utc())
        except schedule.NameTaken:
            db.session.rollback()
            form.name.errors.append(gettext("Der findes allerede en enhed med det navn"))
        else:
            db.session.commit()
            flash(gettext("Enheden %(name)s er oprettet. Angiv nu dens åbningstider.",
                          name=unit.name), "success")
            return redirect(url_for("admin.unit_hours", unit_id=unit.id), code=303)
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/enheder/<int:unit_id>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def unit_edit(unit_id):
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit)
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            cancelled = schedule.update_unit(
                unit, _unit_values(form), now=now_utc(), tz=tz(), settings=booking_settings(),
                actor_id=actor_id(), confirmed=_confirmed_ids())
        except schedule.ConfirmationNeeded as needed:
            db.session.rollback()
            return _ask_confirmation(needed.bookings, gettext("Gem ændringen af %(name)s",
                                                              name=unit.name))
        except schedule.InvalidHours as error:
            db.session.rollback()
            form.slot_minutes.errors.append(
                _hours_error_message(error, form.slot_minutes.data))
        except schedule.NameTaken:
            db.session.rollback()
            form.name.errors.append(gettext("Der findes allerede en enhed med det navn"))
        else:
            db.session.commit()
            _notify(cancelled)
            flash(gettext("Enheden %(name)s er gemt.", name=unit.name), "success")
            return redirect(url_for("admin.unit_list"), code=303)
    return render_template("admin/unit_form.html", form=form, unit=unit)


def _hours_text(periods):
    return ", ".join(f"{format_time(opens)}-{format_time(closes)}" for opens, closes in periods)


@bp.route("/enheder/<int:unit_id>/aabningstider", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def unit_hours(unit_id):
    unit = db.get_or_404(Unit, unit_id)
    current = schedule.periods_of(unit)
    form = HoursForm(data={f"day{weekday}": _hours_text(current.get(weekday, []))
                           for weekday in range(7)})
    if form.validate_on_submit() and not g.get("csrf_failed"):
        periods = _parse_hours_form(form)
        if periods is not None:
            response = _save_hours(unit, form, periods)
            if response is not None:
                return response
    return render_template("admin/unit_hours.html", form=form, unit=unit)


def _parse_hours_form(form):
    periods = {}
    for weekday in range(7):
        field = form[f"day{weekday}"]
        try:
            day_periods = parse_periods(field.data)
        except ValueError as error:
            field.errors.append(gettext(
                "\"%(text)s\" kan ikke læses. Skriv fx 9.30-12, 12.30-15.", text=str(error)))
            return None
        if day_periods:
            periods[weekday] = day_periods
    return periods


def _save_hours(unit, form, periods):
    try:
        cancelled = schedule.set_opening_hours(
            unit, periods, now=now_utc(), tz=tz(), settings=booking_settings(),
            actor_id=actor_id(), confirmed=_confirmed_ids())
    except schedule.ConfirmationNeeded as needed:
        db.session.rollback()
        return _ask_confirmation(needed.bookings, gettext("Gem åbningstiderne for %(name)s",
                                                          name=unit.name))
    except schedule.InvalidHours as error:
        db.session.rollback()
        form[f"day{error.weekday}"].errors.append(
            _hours_error_message(error, unit.slot_minutes))
        return None
    db.session.commit()
    _notify(cancelled)
    flash(gettext("Åbningstiderne for %(name)s er gemt.", name=unit.name), "success")
    return redirect(url_for("admin.unit_list"), code=303)


# Counters.

@bp.route("/skranker/ny", methods=["GET", "POST"], defaults={"counter_id": None})
@bp.route("/skranker/<int:counter_id>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def counter_edit(counter_id):
    counter = db.get_or_404(Counter, counter_id) if counter_id is not None else None
    units = booking_queries.list_units(active_only=False)
    form = CounterForm(obj=counter, units=units,
                       data={"unit": str(counter.unit_id or "")} if counter else None)
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            schedule.save_counter(counter, form.name.data, form.unit_id, form.position.data,
                                  form.is_active.data, actor_id=actor_id(), now=now_utc())
        except schedule.NameTaken:
            db.session.rollback()
            form.name.errors.append(gettext("Der findes allerede en skranke med det navn"))
        except schedule.UnitHasCounter:
            db.session.rollback()
            form.unit.errors.append(gettext("En anden skranke betjener allerede enheden"))
        else:
            db.session.commit()
            flash(gettext("Skranken er gemt."), "success")
            return redirect(url_for("admin.unit_list"), code=303)
    return render_template("admin/counter_form.html", form=form, counter=counter)


# Closures and blocked times.

@bp.get("/lukninger")
@role_required(Role.CHIEF)
def closure_list():
    return render_template("admin/closures.html", closures=schedule.list_closures(now_utc()))


def _closure_bounds(form):
    """Return the closure's (starts_at, ends_at) in UTC; empty times mean whole days."""
    zone = tz()
    starts_at = datetime.combine(form.first_day.data, form.starts.data or time(0), tzinfo=zone)
    if form.ends.data:
        ends_at = datetime.combine(form.last_day.data, form.ends.data, tzinfo=zone)
    else:
        ends_at = datetime.combine(form.last_day.data + timedelta(days=1), time(0), tzinfo=zone)
    return starts_at, ends_at


def _closure_prefill():
    """Return form data from ?enhed=&dato=&fra=&til=, e.g. from a 'block this time' link."""
    day = parse_day(request.args.get("dato"))
    data = {"unit": request.args.get("enhed", ""), "first_day": day, "last_day": day}
    for key, field in (("fra", "starts"), ("til", "ends")):
        try:
            data[field] = time.fromisoformat(request.args.get(key, ""))
        except ValueError:
            pass
    return data


@bp.route("/lukninger/ny", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.CHIEF)
def closure_new():
    units = booking_queries.list_units(active_only=False)
    form = ClosureForm(units=units, data=None if request.method == "POST" else _closure_prefill())
    if form.validate_on_submit() and not g.get("csrf_failed"):
        starts_at, ends_at = _closure_bounds(form)
        if starts_at >= ends_at:
            form.ends.errors.append(gettext("Lukningen skal slutte efter, at den begynder"))
        else:
            response = _save_closure(form, starts_at, ends_at)
            if response is not None:
                return response
    return render_template("admin/closure_form.html", form=form)


def _save_closure(form, starts_at, ends_at):
    try:
        closure, cancelled = schedule.add_closure(
            form.unit_id, starts_at, ends_at, form.reason.data, now=now_utc(), tz=tz(),
            settings=booking_settings(), actor_id=actor_id(), confirmed=_confirmed_ids())
    except schedule.ConfirmationNeeded as needed:
        db.session.rollback()
        return _ask_confirmation(needed.bookings, gettext("Gem lukningen"))
    db.session.commit()
    _notify(cancelled)
    flash(gettext("Lukningen er gemt."), "success")
    return redirect(url_for("admin.closure_list"), code=303)


@bp.post("/lukninger/<int:closure_id>/slet")
@role_required(Role.CHIEF)
def closure_delete(closure_id):
    closure = db.get_or_404(Closure, closure_id)
    form = ActionForm()
    if form.validate_on_submit():
        schedule.delete_closure(closure, actor_id=actor_id(), now=now_utc())
        db.session.commit()
        flash(gettext("Lukningen er slettet. Tiderne kan bookes igen."), "success")
    return redirect(url_for("admin.closure_list"), code=303)


# Holiday rules.

@bp.route("/helligdage", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def holiday_rules():
    modes = {**DEFAULT_HOLIDAY_MODES, **booking_queries.load_holiday_modes()}
    form = HolidayRulesForm(data=modes)
    if form.validate_on_submit() and not g.get("csrf_failed"):
        chosen = {key: form[key].data for key in OPTIONAL_CLOSING_DAYS}
        try:
            cancelled = schedule.set_holiday_modes(
                chosen, now=now_utc(), tz=tz(), settings=booking_settings(),
                actor_id=actor_id(), confirmed=_confirmed_ids())
        except schedule.ConfirmationNeeded as needed:
            db.session.rollback()
            return _ask_confirmation(needed.bookings, gettext("Gem reglerne for særlige dage"))
        db.session.commit()
        _notify(cancelled)
        flash(gettext("Reglerne for særlige dage er gemt."), "success")
        return redirect(url_for("admin.holiday_rules"), code=303)
    return render_template("admin/holiday_rules.html", form=form)
