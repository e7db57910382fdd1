"""Bookings on behalf of citizens: search, details, booking, moving and cancelling."""

import logging
from datetime import datetime, timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from admin import assisted, queries, services
from admin.auth import role_required
from admin.forms import AssistedDetailsForm, AssistedSearchForm, RescheduleForm
from admin.models import Role
from admin.views import bp
from admin.views.common import actor_id, booking_settings, checkin_window, parse_day, today, tz
from booking import notifications
from booking import queries as booking_queries
from booking import services as booking_services
from booking.forms import ActionForm
from booking.models import Booking, Status
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db
from pastid.timeutil import format_time, now_utc

logger = logging.getLogger(__name__)

OTHER_DAYS_SHOWN = 10


def encode_slot(slot, unit_id):
    """Return a time choice's form value, e.g. 'any|2027-04-05T09:00:00+02:00'."""
    return f"{'any' if unit_id is None else unit_id}|{slot.start.astimezone(tz()).isoformat()}"


def decode_slot(value):
    """Return (unit id or None, aware start) from encode_slot's value; raise ValueError."""
    unit, _, start = (value or "").partition("|")
    moment = datetime.fromisoformat(start)
    if moment.tzinfo is None:
        raise ValueError("slot start has no offset")
    return (None if unit == "any" else int(unit)), moment


def time_choices(slots, unit_id):
    """Return one choice per start time (any unit) or per unit and start time."""
    choices, seen = [], set()
    for slot in slots:
        key = slot.start if unit_id is None else (slot.unit_id, slot.start)
        if key in seen:
            continue
        seen.add(key)
        start, end = slot.start.astimezone(tz()), slot.end.astimezone(tz())
        label = f"{format_time(start)}–{format_time(end)}"
        choices.append((encode_slot(slot, unit_id), label))
    return choices


def _other_days(unit_id, persons, exclude_booking_id=None):
    """Return the first days with free times, for when the chosen day has none."""
    now = now_utc()
    first_day, last_day = booking_queries.booking_window(now, tz(), unit_id)
    counts = booking_queries.count_free_slots_by_day(
        first_day, last_day, now=now, tz=tz(), unit_id=unit_id, persons=persons,
        exclude_booking_id=exclude_booking_id)
    return list(counts.items())[:OTHER_DAYS_SHOWN]


def _load_booking(booking_id):
    return db.get_or_404(Booking, booking_id)


def _is_changeable(booking):
    return booking.status == Status.BOOKED and booking.start_at > now_utc()


# Search and details.

@bp.get("/bookinger")
@role_required(Role.FRONTDESK)
def booking_search():
    text = request.args.get("q", "").strip()[:100]
    return render_template("admin/booking_search.html", text=text,
                           bookings=queries.search_bookings(text) if text else None)


@bp.get("/bookinger/<int:booking_id>")
@role_required(Role.FRONTDESK)
def booking_detail(booking_id):
    booking = _load_booking(booking_id)
    now = now_utc()
    window = checkin_window()
    missed_allowed = (booking.status == Status.BOOKED
                      and now > booking.start_at + timedelta(minutes=window.late_minutes))
    return render_template("admin/booking_detail.html", booking=booking,
                           changeable=_is_changeable(booking), missed_allowed=missed_allowed,
                           is_today=booking.start_at.astimezone(tz()).date() == today())


@bp.post("/bookinger/<int:booking_id>/udeblevet")
@role_required(Role.FRONTDESK)
def booking_missed(booking_id):
    booking = _load_booking(booking_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.mark_missed_booking(booking, now=now_utc(), window=checkin_window(),
                                         actor_id=actor_id())
        except services.NotInExpectedState:
            db.session.rollback()
            flash(gettext("Bookingen kan ikke registreres som udeblevet nu."), "error")
        else:
            db.session.commit()
            flash(gettext("Bookingen er registreret som udeblevet."), "success")
    return redirect(url_for("admin.booking_detail", booking_id=booking.id), code=303)


# Booking on behalf of a citizen.

@bp.route("/bookinger/ny", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def booking_new():
    units = booking_queries.list_units()
    search = AssistedSearchForm(request.args, units=units)
    if not request.args or not search.validate():
        if not request.args:
            search = AssistedSearchForm(units=units, data={"day": today(), "unit": "any"})
        return render_template("admin/booking_new.html", search=search, form=None)

    persons = int(search.persons.data)
    slots = booking_queries.list_free_slots(
        search.day.data, search.day.data, now=now_utc(), tz=tz(), unit_id=search.unit_id,
        persons=persons)
    form = AssistedDetailsForm(choices=time_choices(slots, search.unit_id))
    error = None
    if form.validate_on_submit() and not g.get("csrf_failed"):
        result = _create_for_citizen(search, form, persons)
        if not isinstance(result, str):
            return result
        error = result
    return render_template(
        "admin/booking_new.html", search=search, form=form, error=error,
        other_days=[] if form.slot.choices else _other_days(search.unit_id, persons))


def _create_for_citizen(search, form, persons):
    """Book the chosen time; return a redirect, or an error message to show."""
    unit_id, start = decode_slot(form.slot.data)
    choice = booking_services.SlotChoice(start, persons, unit_id)
    details = booking_services.ContactDetails(
        name=form.name.data, email=form.email.data, phone=form.phone.data,
        language=form.language.data)
    try:
        booking, token = assisted.book_for_citizen(
            choice, search.purpose.data, details, now=now_utc(), tz=tz(),
            settings=booking_settings(), actor_id=actor_id())
    except booking_services.SlotUnavailable:
        db.session.rollback()
        return gettext("Tiden er netop blevet booket af en anden. Vælg en anden tid.")
    except booking_services.BookingLimitReached as refusal:
        db.session.rollback()
        if refusal.field == "email":
            return gettext("E-mailadressen har allerede en kommende booking.")
        return gettext("Mobilnummeret har allerede en kommende booking.")
    db.session.commit()

    notifications.send_confirmation(booking, token)
    if booking.email:
        flash(gettext("Tiden er booket med koden %(code)s. Borgeren får en bekræftelse på "
                      "e-mail.", code=booking.code), "success")
    else:
        flash(gettext("Tiden er booket med koden %(code)s. Borgeren har ingen e-mail og får "
                      "ingen bekræftelse: giv borgeren koden og tidspunktet.",
                      code=booking.code), "warning")
    return redirect(url_for("admin.booking_detail", booking_id=booking.id), code=303)


# Moving and cancelling on behalf of a citizen.

def _not_changeable(booking_id, change):
    if change == "cancel":
        flash(gettext("Bookingen kan ikke aflyses, fordi den er aflyst, afsluttet eller "
                      "allerede begyndt."), "error")
    else:
        flash(gettext("Bookingen kan ikke flyttes, fordi den er aflyst, afsluttet eller "
                      "allerede begyndt."), "error")
    return redirect(url_for("admin.booking_detail", booking_id=booking_id), code=303)


@bp.route("/bookinger/<int:booking_id>/flyt", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def booking_reschedule(booking_id):
    booking = _load_booking(booking_id)
    if not _is_changeable(booking):
        return _not_changeable(booking.id, "reschedule")

    day = parse_day(request.args.get("dato"), booking.start_at.astimezone(tz()).date())
    slots = booking_queries.list_free_slots(
        day, day, now=now_utc(), tz=tz(), persons=booking.persons,
        exclude_booking_id=booking.id)
    slots = [slot for slot in slots if slot.start != booking.start_at]
    form = RescheduleForm(choices=time_choices(slots, None))
    if form.validate_on_submit() and not g.get("csrf_failed"):
        unit_id, start = decode_slot(form.slot.data)
        choice = booking_services.SlotChoice(start, booking.persons, unit_id)
        try:
            booking, token = assisted.reschedule_for_citizen(
                booking, choice, now=now_utc(), tz=tz(), settings=booking_settings(),
                actor_id=actor_id())
        except booking_services.SlotUnavailable:
            db.session.rollback()
            flash(gettext("Tiden er netop blevet booket af en anden. Vælg en anden tid."),
                  "error")
            return redirect(url_for("admin.booking_reschedule", booking_id=booking_id,
                                    dato=day.isoformat()), code=303)
        except booking_services.BookingNotChangeable:
            db.session.rollback()
            return _not_changeable(booking_id, "reschedule")
        db.session.commit()
        notifications.send_confirmation(booking, token, rescheduled=True)
        flash(gettext("Bookingen er flyttet."), "success")
        return redirect(url_for("admin.booking_detail", booking_id=booking.id), code=303)
    return render_template(
        "admin/booking_reschedule.html", booking=booking, form=form, day=day,
        other_days=[] if form.slot.choices else _other_days(None, booking.persons, booking.id))


@bp.route("/bookinger/<int:booking_id>/aflys", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def booking_cancel(booking_id):
    booking = _load_booking(booking_id)
    if not _is_changeable(booking):
        return _not_changeable(booking.id, "cancel")

    form = ActionForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            assisted.cancel_for_citizen(booking, now=now_utc(), settings=booking_settings(),
                                        actor_id=actor_id())
        except booking_services.BookingNotChangeable:
            db.session.rollback()
            return _not_changeable(booking_id, "cancel")
        db.session.commit()
        notifications.send_cancellation(booking)
        flash(gettext("Bookingen er aflyst."), "success")
        return redirect(url_for("admin.booking_detail", booking_id=booking.id), code=303)
    return render_template("admin/booking_cancel.html", booking=booking, form=form)
