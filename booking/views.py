"""Citizen pages: book a time in five steps, then see, move or cancel it by its link."""

import logging
import secrets
from datetime import date, datetime, timedelta

import phonenumbers
import segno
from flask import (
    Blueprint, abort, current_app, flash, g, jsonify, make_response, redirect,
    render_template, request, session, url_for,
)
from flask_babel import gettext

from booking import notifications, proof_of_work, queries, services
from booking.codes import format_code
from booking.forms import ActionForm, ConfirmForm, DetailsForm, PurposeForm, TimeForm
from booking.models import Booking, Status
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db, limiter
from pastid.timeutil import format_time, now_utc, zone

logger = logging.getLogger(__name__)

bp = Blueprint("booking", __name__)
bp.add_app_template_filter(format_code, "booking_code")


@bp.app_template_filter("phone")
def format_phone(number):
    """Format an E.164 number for reading: '+45 20 12 34 56'."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

FLOW = "booking_flow"
STEPS = 5


def _tz():
    return zone(current_app.config["TIMEZONE"])


def _settings():
    return services.BookingSettings.from_config(current_app.config)


def _flow():
    return session.setdefault(FLOW, {})


def _save_flow(**values):
    flow = dict(session.get(FLOW, {}))
    flow.update(values)
    session[FLOW] = flow


def _hold_token():
    """Return this browser session's hold token, creating it on first use."""
    if "hold_token" not in session:
        session["hold_token"] = secrets.token_urlsafe(24)
    return session["hold_token"]


def _booking_limit():
    return current_app.config["RATELIMIT_BOOKING"]


def _manage_limit():
    return current_app.config["RATELIMIT_MANAGE"]


def _unit_filter(flow):
    unit = flow.get("unit", "any")
    return None if unit == "any" else int(unit)


def _parse_day(raw):
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def _flash_invalid_day():
    if request.values.get("dato"):
        flash(gettext("Datoen i adressen er ugyldig. Vælg en dag på listen."), "warning")


def encode_slot(slot, unit_id):
    """Return the form value of a slot choice, e.g. 'any|2027-04-05T09:00:00+02:00'."""
    start = slot.start.astimezone(_tz()).isoformat()
    return f"{'any' if unit_id is None else unit_id}|{start}"


def decode_slot(value):
    """Return (unit_id or None, aware start) from a slot choice; raise ValueError."""
    unit, _, start = (value or "").partition("|")
    moment = datetime.fromisoformat(start)
    if moment.tzinfo is None:
        raise ValueError("slot start has no offset")
    return (None if unit == "any" else int(unit)), moment


def _time_choices(slots, unit_id):
    """Radio choices for the time step: one per start time, or per unit and start."""
    tz = _tz()
    choices, seen = [], set()
    for slot in slots:
        key = slot.start if unit_id is None else (slot.unit_id, slot.start)
        if key in seen:
            continue
        seen.add(key)
        language = _language()
        label = (f"{format_time(slot.start.astimezone(tz), language)}–"
                 f"{format_time(slot.end.astimezone(tz), language)}")
        choices.append((encode_slot(slot, unit_id), label))
    return choices


def _step_redirect(flow):
    """Redirect to the first step the citizen has not finished, or return None."""
    if "purpose" not in flow:
        return redirect(url_for("booking.purpose"))
    return None


# Step 1: what the booking is for.

@bp.get("/")
def start():
    return render_template("booking/start.html")


@bp.route("/bestil", methods=["GET", "POST"])
@reshow_on_csrf_error
def purpose():
    flow = _flow()
    units = queries.list_units()
    form = PurposeForm(units=units, data={
        "purpose": flow.get("purpose"), "persons": str(flow.get("persons", "")),
        "unit": flow.get("unit", "any")})

    if form.validate_on_submit() and not g.get("csrf_failed"):
        _save_flow(purpose=form.purpose.data, persons=form.person_count,
                   unit=form.unit.data)
        return redirect(url_for("booking.day"))
    return render_template("booking/purpose.html", form=form, step=1, steps=STEPS)


# Step 2: the day.

def _days_context(flow, exclude_booking_id=None, persons=None):
    tz, now = _tz(), now_utc()
    unit_id = _unit_filter(flow)
    first_day, last_day = queries.booking_window(now, tz, unit_id)
    counts = queries.count_free_slots_by_day(
        first_day, last_day, now=now, tz=tz, unit_id=unit_id,
        persons=persons or flow.get("persons", 1), exclude_hold_token=session.get("hold_token"),
        exclude_booking_id=exclude_booking_id)
    weeks = {}
    for day, count in counts.items():
        weeks.setdefault(day.isocalendar().week, []).append((day, count))
    return {"weeks": list(weeks.items()), "last_day": last_day}


@bp.get("/bestil/dag")
def day():
    flow = _flow()
    if (response := _step_redirect(flow)) is not None:
        return response
    return render_template(
        "booking/day.html", step=2, steps=STEPS, flow=flow,
        day_url=lambda day: url_for("booking.time", dato=day.isoformat()), **_days_context(flow))


# Step 3: the time, which is then held for the citizen.

def _slots_for_day(flow, chosen_day, exclude_booking_id=None, persons=None):
    return queries.list_free_slots(
        chosen_day, chosen_day, now=now_utc(), tz=_tz(), unit_id=_unit_filter(flow),
        persons=persons or flow.get("persons", 1), exclude_hold_token=session.get("hold_token"),
        exclude_booking_id=exclude_booking_id)


@bp.route("/bestil/tid", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_booking_limit, methods=["POST"])
def time():
    flow = _flow()
    if (response := _step_redirect(flow)) is not None:
        return response
    chosen_day = _parse_day(request.values.get("dato"))
    if chosen_day is None:
        _flash_invalid_day()
        return redirect(url_for("booking.day"))

    slots = _slots_for_day(flow, chosen_day)
    form = TimeForm(choices=_time_choices(slots, _unit_filter(flow)))
    if request.method == "POST" and not g.get("csrf_failed"):
        lost = _lost_choice(form)
        if lost is not None:
            return _render_taken(flow, *lost)
    if form.validate_on_submit() and not g.get("csrf_failed"):
        unit_id, start = decode_slot(form.slot.data)
        choice = services.SlotChoice(start, flow["persons"], unit_id)
        try:
            hold = services.hold_slot(choice, _hold_token(), now=now_utc(), tz=_tz(),
                                      settings=_settings())
        except services.SlotUnavailable:
            db.session.rollback()
            return _render_taken(flow, start, unit_id)
        db.session.commit()
        _save_hold(hold, unit_id)
        return redirect(url_for("booking.details"))
    return render_template("booking/time.html", form=form, step=3, steps=STEPS,
                           chosen_day=chosen_day)


def _lost_choice(form):
    """Return (start, unit_id) when a well-formed time was posted that is no longer free.

    That is a time someone else took after the page was shown, which deserves the
    "just booked" answer with alternatives rather than a plain field error.
    """
    raw = form.slot.data
    if not raw or raw in {choice.value for choice in form.slot.choices}:
        return None
    try:
        unit_id, start = decode_slot(raw)
    except ValueError:
        return None
    return start, unit_id


def _save_hold(hold, unit_id):
    _save_flow(day=hold.start.astimezone(_tz()).date().isoformat(), hold={
        "unit_id": hold.unit_id, "start": hold.start.isoformat(), "end": hold.end.isoformat(),
        "expires_at": hold.expires_at.isoformat(), "any_unit": unit_id is None})


# Step 4: contact details.

def _hold(flow):
    hold = flow.get("hold")
    if not hold:
        return None
    return {**hold, "start": datetime.fromisoformat(hold["start"]),
            "end": datetime.fromisoformat(hold["end"]),
            "expires_at": datetime.fromisoformat(hold["expires_at"])}


@bp.route("/bestil/oplysninger", methods=["GET", "POST"])
@reshow_on_csrf_error
def details():
    flow = _flow()
    hold = _hold(flow)
    if (response := _step_redirect(flow)) is not None:
        return response
    if hold is None:
        return redirect(url_for("booking.day"))

    form = DetailsForm(data=flow.get("details"))
    if form.validate_on_submit() and not g.get("csrf_failed") and _within_limits(form):
        _save_flow(details={"name": form.name.data, "email": form.email.data,
                            "phone": form.phone.data, "consent": True})
        return redirect(url_for("booking.review"))
    return render_template("booking/details.html", form=form, step=4, steps=STEPS,
                           hold=hold, unit=queries.get_unit(hold["unit_id"]), now=now_utc())


def _within_limits(form):
    """Tell the citizen now, not after the last step, that they already have a booking.

    The booking itself checks again, because another booking can be made meanwhile.
    """
    contact = services.ContactDetails(name=form.name.data, email=form.email.data,
                                      phone=form.phone.data)
    try:
        services.check_booking_limits(contact, now=now_utc(), settings=_settings())
    except services.BookingLimitReached as refusal:
        field = form.email if refusal.field == "email" else form.phone
        field.errors = [*field.errors, LIMIT_MESSAGES[refusal.field]()]
        return False
    return True


LIMIT_MESSAGES = {
    "email": lambda: gettext("Der er allerede bestilt en tid med denne e-mailadresse. "
                             "Brug linket i din bekræftelse, hvis du vil flytte eller aflyse "
                             "den."),
    "phone": lambda: gettext("Der er allerede bestilt en tid med dette mobilnummer. "
                             "Brug linket i din bekræftelse, hvis du vil flytte eller aflyse "
                             "den."),
}


# Step 5: review and confirm, with the proof of work.

@bp.route("/bestil/bekraeft", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_booking_limit, methods=["POST"])
def review():
    flow = _flow()
    hold = _hold(flow)
    if (response := _step_redirect(flow)) is not None:
        return response
    if hold is None:
        return redirect(url_for("booking.day"))
    if not flow.get("details"):
        return redirect(url_for("booking.details"))

    form = ConfirmForm()
    error = None
    if form.validate_on_submit() and not g.get("csrf_failed"):
        if not proof_of_work.verify_and_spend(form.altcha.data, current_app.config["SECRET_KEY"]):
            error = gettext("Bekræft, at du ikke er en robot, ved at sætte flueben i feltet.")
        else:
            return _confirm_booking(flow, hold)
    return render_template("booking/review.html", form=form, step=5, steps=STEPS, flow=flow,
                           hold=hold, unit=queries.get_unit(hold["unit_id"]), now=now_utc(),
                           altcha_error=error)


def _confirm_booking(flow, hold):
    details = flow["details"]
    contact = services.ContactDetails(
        name=details["name"], email=details["email"], phone=details["phone"],
        language=_language())
    choice = services.SlotChoice(hold["start"], flow["persons"],
                                 None if hold.get("any_unit") else hold["unit_id"])
    now = now_utc()
    try:
        booking, token = services.create_booking(
            choice, flow["purpose"], contact, now=now, tz=_tz(), settings=_settings(),
            hold_token=session.get("hold_token"))
    except services.SlotUnavailable:
        db.session.rollback()
        held_unit = None if hold.get("any_unit") else hold["unit_id"]
        return _render_taken(flow, hold["start"], held_unit)
    except services.BookingLimitReached as refusal:
        db.session.rollback()
        return render_template("booking/limit.html", field=refusal.field), 409
    # Build the mail while the booking is loaded: reading it again after the commit would
    # take SQLite's write lock for the rest of the request, SMTP send included.
    mail = notifications.confirmation_mail(booking, token)
    booking_id = booking.id
    db.session.commit()

    notifications.send(mail)
    session.pop(FLOW, None)
    session["receipt"] = {"booking_id": booking_id, "token": token}
    return redirect(url_for("booking.receipt"), code=303)


def _render_taken(flow, start, unit_id):
    """Show the nearest free times after the chosen time was lost to someone else."""
    alternatives = queries.nearest_alternatives(
        start, now=now_utc(), tz=_tz(), unit_id=unit_id, persons=flow["persons"],
        exclude_hold_token=session.get("hold_token"))
    logger.info("held time lost; %s alternatives offered", len(alternatives))
    form = TimeForm(formdata=None, choices=_time_choices(alternatives, unit_id))
    return render_template("booking/taken.html", form=form, alternatives=alternatives,
                           unit_id=unit_id, details_saved=bool(flow.get("details"))), 409


@bp.post("/bestil/alternativ")
@limiter.limit(_booking_limit)
def alternative():
    """Hold one of the alternatives offered after a lost time, then go back to review."""
    flow = _flow()
    if (response := _step_redirect(flow)) is not None:
        return response
    try:
        unit_id, start = decode_slot(request.form.get("slot"))
    except ValueError:
        return redirect(url_for("booking.day"))
    choice = services.SlotChoice(start, flow["persons"], unit_id)
    try:
        hold = services.hold_slot(choice, _hold_token(), now=now_utc(), tz=_tz(),
                                  settings=_settings())
    except services.SlotUnavailable:
        db.session.rollback()
        flash(gettext("Tiden er desværre netop blevet booket. Vælg en anden tid."), "error")
        return redirect(url_for("booking.time", dato=start.astimezone(_tz()).date().isoformat()))
    db.session.commit()
    _save_hold(hold, unit_id)
    return redirect(url_for("booking.review" if flow.get("details") else "booking.details"))


def _language():
    return session.get("lang") if session.get("lang") in ("da", "en") else "da"


def _qr_data_uri(code):
    """Return the QR code of the bare booking code as an SVG data URI for an <img>."""
    return segno.make(code, error="m").svg_data_uri(scale=6, border=2)


@bp.get("/bestil/kvittering")
def receipt():
    receipt_data = session.get("receipt")
    booking = db.session.get(Booking, receipt_data["booking_id"]) if receipt_data else None
    if booking is None:
        return redirect(url_for("booking.start"))
    return render_template("booking/receipt.html", booking=booking, token=receipt_data["token"],
                           qr=_qr_data_uri(booking.code))


@bp.get("/api/altcha/challenge")
@limiter.limit(_booking_limit)
def altcha_challenge():
    config = current_app.config
    challenge = proof_of_work.new_challenge(
        config["SECRET_KEY"], cost=config["ALTCHA_COST"],
        ttl_seconds=config["ALTCHA_EXPIRES_SECONDS"])
    response = jsonify(challenge)
    response.headers["Cache-Control"] = "no-store"
    return response


# The manage link: see, move or cancel a booking.

def _load_managed(token):
    booking = queries.get_booking_by_token(token)
    if booking is None:
        logger.warning("unknown manage link opened")
        page = render_template(
            "errors/error.html", status=404, title=gettext("Linket virker ikke"),
            message=gettext("Linket til din tid er ugyldigt eller forældet. Brug linket i den "
                            "nyeste e-mail om din tid, eller ring til os."))
        abort(make_response(page, 404))
    g.page_language = booking.language
    return booking


def _manage_state(booking):
    """Return 'cancelled', 'past' or 'active' for the manage page."""
    if booking.status == Status.CANCELLED:
        return "cancelled"
    if booking.status != Status.BOOKED or booking.start_at <= now_utc():
        return "past"
    return "active"


@bp.get("/min-tid/<token>")
@limiter.limit(_manage_limit)
def manage(token):
    booking = _load_managed(token)
    return render_template("booking/manage.html", booking=booking, token=token,
                           state=_manage_state(booking), qr=_qr_data_uri(booking.code))


@bp.get("/min-tid/<token>/kalender.ics")
@limiter.limit(_manage_limit)
def calendar_file(token):
    booking = _load_managed(token)
    method = "CANCEL" if booking.status == Status.CANCELLED else "PUBLISH"
    body = notifications.calendar_bytes(booking, token, method)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="pastid-{booking.code}.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/min-tid/<token>/aflys", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_manage_limit)
def cancel(token):
    booking = _load_managed(token)
    if _manage_state(booking) != "active":
        return redirect(url_for("booking.manage", token=token))

    form = ActionForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            services.cancel_booking(booking, now=now_utc(), settings=_settings())
        except services.BookingNotChangeable:
            db.session.rollback()
            return redirect(url_for("booking.manage", token=token))
        mail = notifications.cancellation_mail(booking)
        db.session.commit()
        notifications.send(mail)
        flash(gettext("Din tid er aflyst. Du får en bekræftelse på e-mail."), "success")
        return redirect(url_for("booking.manage", token=token), code=303)
    return render_template("booking/cancel.html", form=form, booking=booking, token=token)


def _reschedule_flow(booking):
    return {"persons": booking.persons, "unit": "any"}


@bp.get("/min-tid/<token>/flyt")
@limiter.limit(_manage_limit)
def reschedule_day(token):
    booking = _load_managed(token)
    if _manage_state(booking) != "active":
        return redirect(url_for("booking.manage", token=token))
    context = _days_context(_reschedule_flow(booking), exclude_booking_id=booking.id)
    return render_template(
        "booking/reschedule_day.html", booking=booking, token=token,
        day_url=lambda day: url_for("booking.reschedule_time", token=token, dato=day.isoformat()),
        **context)


@bp.route("/min-tid/<token>/flyt/tid", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_manage_limit)
def reschedule_time(token):
    booking = _load_managed(token)
    if _manage_state(booking) != "active":
        return redirect(url_for("booking.manage", token=token))
    chosen_day = _parse_day(request.values.get("dato"))
    if chosen_day is None:
        _flash_invalid_day()
        return redirect(url_for("booking.reschedule_day", token=token))

    flow = _reschedule_flow(booking)
    slots = _slots_for_day(flow, chosen_day, exclude_booking_id=booking.id)
    slots = [slot for slot in slots if slot.start != booking.start_at]
    form = TimeForm(choices=_time_choices(slots, None))
    if form.validate_on_submit() and not g.get("csrf_failed"):
        session["reschedule"] = {"token_hash": queries.hash_token(token),
                                 "slot": form.slot.data}
        return redirect(url_for("booking.reschedule_confirm", token=token))
    return render_template("booking/reschedule_time.html", form=form, booking=booking,
                           token=token, chosen_day=chosen_day)


@bp.route("/min-tid/<token>/flyt/bekraeft", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_manage_limit)
def reschedule_confirm(token):
    booking = _load_managed(token)
    pending = session.get("reschedule")
    if _manage_state(booking) != "active":
        return redirect(url_for("booking.manage", token=token))
    if not pending or pending.get("token_hash") != queries.hash_token(token):
        return redirect(url_for("booking.reschedule_day", token=token))
    try:
        unit_id, start = decode_slot(pending["slot"])
    except ValueError:
        return redirect(url_for("booking.reschedule_day", token=token))

    form = ActionForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        choice = services.SlotChoice(start, booking.persons, unit_id)
        try:
            services.reschedule_booking(booking, choice, now=now_utc(), tz=_tz(),
                                        settings=_settings())
        except services.SlotUnavailable:
            db.session.rollback()
            flash(gettext("Tiden er desværre netop blevet booket. Vælg en anden tid."), "error")
            return redirect(url_for("booking.reschedule_time", token=token,
                                    dato=start.astimezone(_tz()).date().isoformat()))
        except services.BookingNotChangeable:
            db.session.rollback()
            return redirect(url_for("booking.manage", token=token))
        mail = notifications.confirmation_mail(booking, token, rescheduled=True)
        db.session.commit()
        session.pop("reschedule", None)
        notifications.send(mail)
        flash(gettext("Din tid er flyttet. Du får en ny bekræftelse på e-mail."), "success")
        return redirect(url_for("booking.manage", token=token), code=303)
    end = start + timedelta(minutes=booking.unit.slot_minutes * booking.persons)
    return render_template("booking/reschedule_confirm.html", form=form, booking=booking,
                           token=token, new_start=start, new_end=end)
