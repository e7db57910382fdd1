"""The day at the centre: check-in, walk-ins, and calling and serving at a PAS unit.

Every instant the KPI module reads (checked_in_at, called_at, serving_started_at,
served_at, no_show_at) is written by a conditional UPDATE that also checks the status
it leaves. A double click or two staff members acting at once therefore record an
instant once: the second request changes no row and gets the current state back.
The functions take plain values and leave the commit to the caller.
"""

import enum
import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from admin import audit
from admin.models import WalkIn, WalkInStatus
from booking import queries as booking_queries
from booking.codes import normalize_code
from booking.models import MAX_PERSONS, Booking, Purpose, Status
from pastid.extensions import db

logger = logging.getLogger(__name__)

TICKET_ATTEMPTS = 5
BOOKING_TIMES = ("status", "checked_in_at", "called_at", "serving_started_at", "served_at",
                 "no_show_at")
WALK_IN_TIMES = ("status", "unit_id", "arrived_at", "called_at", "serving_started_at",
                 "served_at", "no_show_at")


class QueueError(Exception):
    """Base of the refusals of queue actions; views turn each into a Danish message."""


class UnitBusy(QueueError):
    """The unit has called a citizen who is not yet served, so it cannot call another."""


class NotInExpectedState(QueueError):
    """The citizen was moved on by someone else (or by a double click) meanwhile."""


@dataclass(frozen=True)
class CheckinWindow:
    """How long before and after the booked time a citizen can check in unaided."""

    early_minutes: int = 30
    late_minutes: int = 15

    @classmethod
    def from_config(cls, config):
        return cls(config["CHECKIN_EARLY_MINUTES"], config["CHECKIN_LATE_MINUTES"])


class Outcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    INVALID_CODE = "invalid_code"
    UNKNOWN_CODE = "unknown_code"
    OTHER_DAY = "other_day"
    CANCELLED = "cancelled"
    ALREADY_CHECKED_IN = "already_checked_in"
    NO_SHOW = "no_show"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"


@dataclass(frozen=True)
class CheckinResult:
    outcome: Outcome
    code: str | None = None
    booking: Booking | None = None


def _local_day(instant, tz):
    return instant.astimezone(tz).date()


def _refusal(booking, now, tz, window, accept_late):
    """Return the Outcome that stops this check-in, or None when it may go ahead."""
    if booking.status == Status.CANCELLED:
        return Outcome.CANCELLED
    if _local_day(booking.start_at, tz) != _local_day(now, tz):
        return Outcome.OTHER_DAY
    if booking.status == Status.NO_SHOW:
        return Outcome.NO_SHOW
    if booking.checked_in_at is not None or booking.status != Status.BOOKED:
        return Outcome.ALREADY_CHECKED_IN
    if now < booking.start_at - timedelta(minutes=window.early_minutes):
        return Outcome.TOO_EARLY
    if now > booking.start_at + timedelta(minutes=window.late_minutes) and not accept_late:
        return Outcome.TOO_LATE
    return None


def check_in(raw_code, *, now, tz, window, actor_id, accept_late=False, device_id=None):
    """Record the arrival of the booking with this code, once; return a CheckinResult.

    raw_code may be typed or scanned in any case, with spaces or a dash. A late arrival
    is accepted only with accept_late, which a staff member sets explicitly. device_id
    names the self check-in tablet when the citizen checked in there.
    """
    code = normalize_code(raw_code)
    if code is None:
        return CheckinResult(Outcome.INVALID_CODE)
    booking = booking_queries.get_booking_by_code(code)
    if booking is None:
        logger.info("check-in: no booking has the code entered")
        return CheckinResult(Outcome.UNKNOWN_CODE, code)

    refusal = _refusal(booking, now, tz, window, accept_late)
    if refusal is not None:
        logger.info("check-in of booking %s rejected: %s", booking.id, refusal)
        return CheckinResult(refusal, code, booking)

    before = audit.snapshot(booking, BOOKING_TIMES)
    changed = db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status == Status.BOOKED,
               Booking.checked_in_at.is_(None))
        .values(status=Status.CHECKED_IN, checked_in_at=now, updated_at=now)
    ).rowcount
    db.session.refresh(booking)
    if not changed:
        logger.info("check-in of booking %s: already recorded", booking.id)
        return CheckinResult(Outcome.ALREADY_CHECKED_IN, code, booking)

    after = audit.snapshot(booking, BOOKING_TIMES)
    late = now > booking.start_at + timedelta(minutes=window.late_minutes)
    if late:
        after["late_accepted"] = True
    if device_id is not None:
        after["kiosk_device_id"] = device_id
    action = "booking.self_check_in" if device_id is not None else "booking.check_in"
    audit.record(actor_id, action, booking, before, after, now)
    logger.info("booking %s checked in%s", booking.id, " late" if late else "")
    return CheckinResult(Outcome.CHECKED_IN, code, booking)


def register_walk_in(purpose, persons, *, now, tz, actor_id):
    """Register a citizen without a booking and return the WalkIn with its ticket number.

    Ticket numbers count from 1 each local day. Two desks registering at once may
    draw the same number; the unique constraint then rejects one, which draws again.
    """
    if purpose not in {p.value for p in Purpose}:
        raise ValueError(f"unknown purpose {purpose!r}")
    if not 1 <= persons <= MAX_PERSONS:
        raise ValueError(f"persons must be 1 to {MAX_PERSONS}, got {persons}")
    day = _local_day(now, tz)
    for attempt in range(TICKET_ATTEMPTS):
        number = 1 + (db.session.scalar(
            sa.select(sa.func.max(WalkIn.number)).where(WalkIn.service_day == day)) or 0)
        walk_in = WalkIn(service_day=day, number=number, purpose=purpose, persons=persons,
                         status=WalkInStatus.WAITING, arrived_at=now, created_by_id=actor_id)
        try:
            with db.session.begin_nested():
                db.session.add(walk_in)
                # Flush inside the savepoint: a taken number fails here and is drawn again.
                db.session.flush()
        except IntegrityError:
            logger.warning("walk-in ticket %s taken, drawing again (attempt %s)", number,
                           attempt + 1)
            continue
        audit.record(actor_id, "walk_in.create", walk_in, None,
                     audit.snapshot(walk_in, WALK_IN_TIMES + ("number", "purpose", "persons")),
                     now)
        logger.info("walk-in %s registered as ticket %s", walk_in.id, walk_in.ticket)
        return walk_in
    raise RuntimeError("could not draw an unused walk-in ticket number")


# Calling and serving. A queue item is a checked-in booking or a waiting walk-in.

@dataclass(frozen=True)
class Transition:
    """A move between statuses, with the instant column it sets."""

    name: str
    booking_from: str
    walk_in_from: str
    booking_to: str
    walk_in_to: str
    sets: str | None = None
    clears: tuple[str, ...] = ()


CALL = Transition("call", Status.CHECKED_IN, WalkInStatus.WAITING, Status.CALLED,
                  WalkInStatus.CALLED, sets="called_at")
START = Transition("start", Status.CALLED, WalkInStatus.CALLED, Status.SERVING,
                   WalkInStatus.SERVING, sets="serving_started_at")
SERVE = Transition("serve", Status.SERVING, WalkInStatus.SERVING, Status.SERVED,
                   WalkInStatus.SERVED, sets="served_at")
NO_SHOW = Transition("no_show", Status.CALLED, WalkInStatus.CALLED, Status.NO_SHOW,
                     WalkInStatus.NO_SHOW, sets="no_show_at")
# A called citizen who did not come goes back to the queue; the unanswered call is
# kept in the audit log only, so called_at always means the call that was answered.
REQUEUE = Transition("requeue", Status.CALLED, WalkInStatus.CALLED, Status.CHECKED_IN,
                     WalkInStatus.WAITING, clears=("called_at",))

TRANSITIONS = {transition.name: transition for transition in (CALL, START, SERVE, NO_SHOW,
                                                              REQUEUE)}
KINDS = {"booking": Booking, "walk_in": WalkIn}


def _busy_statuses(model):
    if model is Booking:
        return (Status.CALLED, Status.SERVING)
    return (WalkInStatus.CALLED, WalkInStatus.SERVING)


def unit_is_busy(unit_id):
    """Return whether a citizen called to this unit is still called or being served."""
    for model in (Booking, WalkIn):
        busy = db.session.scalar(
            sa.select(sa.func.count()).select_from(model)
            .where(model.unit_id == unit_id, model.status.in_(_busy_statuses(model))))
        if busy:
            return True
    return False


def move(kind, item_id, transition_name, *, unit_id, now, actor_id):
    """Apply a transition to the booking or walk-in item_id at unit_id and return it.

    Raise UnitBusy when calling while the unit has a citizen in progress, and
    NotInExpectedState when the item is no longer where the transition starts, for
    example after a double click. A booking is only ever called to its own unit; a
    walk-in is called to whichever unit calls it.
    """
    model = KINDS[kind]
    transition = TRANSITIONS[transition_name]
    is_booking = model is Booking
    # NOTE: two calls at the same unit in the same instant can both pass this check;
    # each still calls a different citizen once, because the UPDATE below is conditional.
    if transition is CALL and unit_is_busy(unit_id):
        raise UnitBusy()

    item = db.session.get(model, item_id)
    if item is None:
        raise NotInExpectedState()
    before = audit.snapshot(item, WALK_IN_TIMES if not is_booking else BOOKING_TIMES)

    values = {"status": transition.booking_to if is_booking else transition.walk_in_to}
    if transition.sets:
        values[transition.sets] = now
    for column in transition.clears:
        values[column] = None
    conditions = [model.id == item_id,
                  model.status == (transition.booking_from if is_booking
                                   else transition.walk_in_from)]
    if is_booking:
        values["updated_at"] = now
        conditions.append(model.unit_id == unit_id)
    elif transition is CALL:
        values["unit_id"] = unit_id
    elif transition is REQUEUE:
        values["unit_id"] = None
        conditions.append(model.unit_id == unit_id)
    else:
        conditions.append(model.unit_id == unit_id)
    if transition.sets:
        # The instant is written once: a row that already has it is not touched.
        conditions.append(getattr(model, transition.sets).is_(None))

    changed = db.session.execute(sa.update(model).where(*conditions).values(**values)).rowcount
    db.session.refresh(item)
    if not changed:
        logger.info("%s %s: %s rejected, status is %s", kind, item_id, transition.name,
                    item.status)
        raise NotInExpectedState()

    after = audit.snapshot(item, WALK_IN_TIMES if not is_booking else BOOKING_TIMES)
    audit.record(actor_id, f"{kind}.{transition.name}", item, before, after, now)
    logger.info("%s %s: %s at unit %s", kind, item_id, transition.name, unit_id)
    return item


def mark_missed_booking(booking, *, now, window, actor_id):
    """Record a no-show for a booking whose citizen never checked in.

    Allowed once the late check-in window has passed; raise NotInExpectedState before
    that or when the booking is no longer simply booked.
    """
    if now <= booking.start_at + timedelta(minutes=window.late_minutes):
        raise NotInExpectedState()
    before = audit.snapshot(booking, BOOKING_TIMES)
    changed = db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status == Status.BOOKED,
               Booking.no_show_at.is_(None))
        .values(status=Status.NO_SHOW, no_show_at=now, updated_at=now)
    ).rowcount
    db.session.refresh(booking)
    if not changed:
        raise NotInExpectedState()
    audit.record(actor_id, "booking.no_show", booking, before,
                 audit.snapshot(booking, BOOKING_TIMES), now)
    logger.info("booking %s marked as no-show without check-in", booking.id)
    return booking


def queue_sort_key(kind, item):
    """Return the queue position key: booked time for bookings, arrival for walk-ins.

    Booked citizens are served at their booked time, and a walk-in takes the first
    gap after arriving: a walk-in who arrived at 10.05 comes after the 10.00 booking
    and before the 10.15 booking. On equal times the booking goes first.
    """
    if kind == "booking":
        return (item.start_at, 0, item.id)
    return (item.arrived_at, 1, item.id)
