"""Changes to bookings: holding a time, booking it, rescheduling and cancelling.

The functions take plain values and the acting time, flush where a constraint must fire,
and leave the commit to the caller. A slot is never checked free and then written in two
steps: each slot is a SlotReservation row under a unique constraint on (unit, start), and
losing the race shows up as an IntegrityError that becomes SlotUnavailable.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from booking import queries
from booking.codes import new_code
from booking.models import MAX_PERSONS, Booking, Channel, Purpose, SlotReservation, Status
from booking.slots import closing_days, consecutive_starts, generate_slots
from pastid.extensions import db
from pastid.timeutil import local_day_bounds

logger = logging.getLogger(__name__)

CODE_ATTEMPTS = 5


class BookingError(Exception):
    """Base of the booking rules' refusals; views turn each into a Danish message."""


class SlotUnavailable(BookingError):
    """The chosen time is taken, or is no longer a time that can be booked."""


class BookingLimitReached(BookingError):
    """The e-mail address or phone number already has the allowed number of bookings."""

    def __init__(self, field):
        super().__init__(field)
        self.field = field


class BookingNotChangeable(BookingError):
    """The booking is cancelled, finished or already started, so it cannot change."""


@dataclass(frozen=True)
class SlotChoice:
    """A requested start at one unit, or at any unit when unit_id is None."""

    start: datetime
    persons: int
    unit_id: int | None = None


@dataclass(frozen=True)
class ContactDetails:
    name: str
    email: str | None
    phone: str | None
    language: str = "da"


@dataclass(frozen=True)
class Hold:
    unit_id: int
    start: datetime
    end: datetime
    expires_at: datetime


@dataclass(frozen=True)
class BookingSettings:
    hold_minutes: int = 10
    rerelease_minutes: int = 0
    max_per_email: int = 1
    max_per_phone: int = 1

    @classmethod
    def from_config(cls, config):
        return cls(
            hold_minutes=config["HOLD_MINUTES"],
            rerelease_minutes=config["RERELEASE_MINUTES"],
            max_per_email=config["MAX_ACTIVE_BOOKINGS_PER_EMAIL"],
            max_per_phone=config["MAX_ACTIVE_BOOKINGS_PER_PHONE"],
        )


def _bookable_run(unit_id, choice, now, tz):
    """Return the slot starts a booking of choice.persons at this unit would take.

    Return None unless the run is a real, open and bookable run of consecutive slots.
    Taken slots are ignored here on purpose: the unique constraint decides those.
    """
    if not 1 <= choice.persons <= MAX_PERSONS:
        return None
    schedules = queries.load_schedules(unit_id)
    if not schedules:
        return None
    schedule = schedules[0]
    day = choice.start.astimezone(tz).date()
    starts_at, ends_at = local_day_bounds(day, tz)
    slots = generate_slots(
        [schedule], queries.load_closures(starts_at, ends_at),
        closing_days(day, day, queries.load_holiday_modes()), set(), day, day, now, tz)
    runs = [slot for slot in consecutive_starts(slots, choice.persons)
            if slot.start == choice.start]
    if not runs:
        return None
    step = timedelta(minutes=schedule.slot_minutes)
    return [choice.start + step * index for index in range(choice.persons)], runs[0].end


def _candidate_units(choice, hold_token=None):
    """Return the units to try in order: the chosen one, or every active unit.

    In any-unit mode a unit where this hold token holds the start comes first, so a
    citizen gets the unit they held when it is still theirs.
    """
    if choice.unit_id is not None:
        return [choice.unit_id]
    unit_ids = [unit.id for unit in queries.list_units()]
    if hold_token:
        held = set(db.session.scalars(
            sa.select(SlotReservation.unit_id).where(
                SlotReservation.hold_token == hold_token,
                SlotReservation.start_at == choice.start)))
        unit_ids.sort(key=lambda unit_id: unit_id not in held)
    return unit_ids


def _delete_expired(unit_id, starts, now):
    """Delete lapsed holds and held-back times on these slots so they can be taken."""
    db.session.execute(
        sa.delete(SlotReservation)
        .where(SlotReservation.unit_id == unit_id, SlotReservation.start_at.in_(starts))
        .where(SlotReservation.booking_id.is_(None), SlotReservation.expires_at <= now)
    )


def release_hold(hold_token):
    if hold_token:
        db.session.execute(
            sa.delete(SlotReservation).where(SlotReservation.hold_token == hold_token,
                                             SlotReservation.booking_id.is_(None)))


def hold_slot(choice, hold_token, *, now, tz, settings):
    """Hold the chosen time for the citizen with this hold token; raise SlotUnavailable.

    Any earlier hold of the same token is released first, so a citizen holds one time.
    """
    release_hold(hold_token)
    expires_at = now + timedelta(minutes=settings.hold_minutes)
    for unit_id in _candidate_units(choice):
        run = _bookable_run(unit_id, choice, now, tz)
        if run is None:
            continue
        starts, end = run
        try:
            with db.session.begin_nested():
                _delete_expired(unit_id, starts, now)
                db.session.add_all(
                    SlotReservation(unit_id=unit_id, start_at=start, hold_token=hold_token,
                                    expires_at=expires_at)
                    for start in starts)
                # Flush inside the savepoint so a taken slot fails here, and the next unit
                # can still be tried in the same transaction.
                db.session.flush()
        except IntegrityError:
            logger.warning("hold refused: unit %s at %s is taken", unit_id, choice.start)
            continue
        logger.info("hold placed on unit %s at %s", unit_id, choice.start.isoformat())
        return Hold(unit_id, starts[0], end, expires_at)
    raise SlotUnavailable()


def check_booking_limits(details, *, now, settings):
    if details.email and queries.count_active_bookings(
            now=now, email=details.email) >= settings.max_per_email:
        raise BookingLimitReached("email")
    if details.phone and queries.count_active_bookings(
            now=now, phone=details.phone) >= settings.max_per_phone:
        raise BookingLimitReached("phone")


def _insert_booking(**values):
    """Insert a booking with a fresh code, drawing again on the rare duplicate."""
    for attempt in range(CODE_ATTEMPTS):
        booking = Booking(code=new_code(), **values)
        try:
            with db.session.begin_nested():
                db.session.add(booking)
                # Flush now: the unique code must be checked, and the id is needed for
                # the slot rows.
                db.session.flush()
        except IntegrityError:
            logger.warning("booking code collision, drawing again (attempt %s)", attempt + 1)
            continue
        return booking
    raise RuntimeError("could not draw an unused booking code")


def _claim_slots(booking, unit_id, starts, hold_token, now):
    """Turn the citizen's hold on these slots into the booking's, taking any not held."""
    claimed = set()
    if hold_token:
        rows = db.session.execute(
            sa.update(SlotReservation)
            .where(SlotReservation.hold_token == hold_token, SlotReservation.unit_id == unit_id,
                   SlotReservation.start_at.in_(starts), SlotReservation.booking_id.is_(None))
            .values(booking_id=booking.id, hold_token=None, expires_at=None)
            .returning(SlotReservation.start_at)
        ).scalars().all()
        claimed = set(rows)
    missing = [start for start in starts if start not in claimed]
    if missing:
        _delete_expired(unit_id, missing, now)
        db.session.add_all(SlotReservation(unit_id=unit_id, start_at=start, booking_id=booking.id)
                           for start in missing)
    db.session.flush()


def create_booking(choice, purpose, details, *, now, tz, settings, hold_token=None,
                   channel=Channel.ONLINE):
    """Book the chosen time and return (booking, manage token); raise a BookingError.

    The manage token is returned once, for the confirmation e-mail; only its hash is kept.
    """
    if purpose not in {p.value for p in Purpose}:
        raise ValueError(f"unknown purpose {purpose!r}")
    check_booking_limits(details, now=now, settings=settings)
    token = secrets.token_urlsafe(32)
    for unit_id in _candidate_units(choice, hold_token):
        run = _bookable_run(unit_id, choice, now, tz)
        if run is None:
            continue
        starts, end = run
        try:
            with db.session.begin_nested():
                booking = _insert_booking(
                    unit_id=unit_id, start_at=starts[0], end_at=end, persons=choice.persons,
                    purpose=purpose, status=Status.BOOKED, channel=channel,
                    language=details.language, name=details.name, email=details.email,
                    phone=details.phone, manage_token_hash=queries.hash_token(token),
                    created_at=now, updated_at=now)
                _claim_slots(booking, unit_id, starts, hold_token, now)
        except IntegrityError:
            logger.warning("booking refused: unit %s at %s is taken", unit_id, choice.start)
            continue
        release_hold(hold_token)
        logger.info("booking %s created on unit %s (%s, %s persons)", booking.id, unit_id,
                    channel, choice.persons)
        return booking, token
    raise SlotUnavailable()


def _release_reservations(booking_id, now, delay_minutes, keep=()):
    """Free a booking's slots, or hold them back for delay_minutes when that is set."""
    statement = SlotReservation.__table__
    condition = statement.c.booking_id == booking_id
    if keep:
        condition = condition & sa.not_(sa.tuple_(statement.c.unit_id,
                                                  statement.c.start_at).in_(list(keep)))
    if delay_minutes:
        db.session.execute(
            sa.update(SlotReservation).where(condition)
            .values(booking_id=None, hold_token=None,
                    expires_at=now + timedelta(minutes=delay_minutes)))
    else:
        db.session.execute(sa.delete(SlotReservation).where(condition))


def _ensure_changeable(booking, now):
    if booking.status != Status.BOOKED or booking.start_at <= now:
        raise BookingNotChangeable()


def reschedule_booking(booking, choice, *, now, tz, settings):
    """Move the booking to the chosen time; the old time is freed only once the new is taken.

    Slots shared by the old and the new time stay with the booking throughout.
    """
    _ensure_changeable(booking, now)
    choice = SlotChoice(choice.start, booking.persons, choice.unit_id)
    old = {(reservation.unit_id, reservation.start_at) for reservation in booking.reservations}
    for unit_id in _candidate_units(choice):
        run = _bookable_run(unit_id, choice, now, tz)
        if run is None:
            continue
        starts, end = run
        new = {(unit_id, start) for start in starts}
        try:
            with db.session.begin_nested():
                missing = sorted(start for (_, start) in new - old)
                if missing:
                    _delete_expired(unit_id, missing, now)
                    db.session.add_all(
                        SlotReservation(unit_id=unit_id, start_at=start, booking_id=booking.id)
                        for start in missing)
                    # Flush before releasing the old slots: if the new ones are taken,
                    # the savepoint rolls back and the booking keeps its old time.
                    db.session.flush()
                _release_reservations(booking.id, now, settings.rerelease_minutes, keep=new)
        except IntegrityError:
            logger.warning("reschedule of booking %s refused: unit %s at %s is taken",
                           booking.id, unit_id, choice.start)
            continue
        booking.unit_id = unit_id
        booking.start_at = starts[0]
        booking.end_at = end
        booking.sequence += 1
        booking.updated_at = now
        db.session.expire(booking, ["reservations"])
        logger.info("booking %s moved to unit %s at %s", booking.id, unit_id,
                    starts[0].isoformat())
        return booking
    raise SlotUnavailable()


def cancel_booking(booking, *, now, settings):
    """Cancel the booking and free its time (after the re-release delay, if one is set)."""
    _ensure_changeable(booking, now)
    _release_reservations(booking.id, now, settings.rerelease_minutes)
    booking.status = Status.CANCELLED
    booking.cancelled_at = now
    booking.sequence += 1
    booking.updated_at = now
    db.session.expire(booking, ["reservations"])
    logger.info("booking %s cancelled", booking.id)
    return booking
