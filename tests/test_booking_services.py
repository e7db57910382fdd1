"""Booking services on a real database: holds, bookings, reschedule, cancel, races."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from booking import queries, services
from booking.models import Booking, SlotReservation, Status
from pastid.extensions import db
from support import CPH, local

SETTINGS = services.BookingSettings()


def details(email="borger@example.invalid", phone=None, name="Anna Jensen"):
    return services.ContactDetails(name=name, email=email, phone=phone)


def book(start, persons=1, unit_id=None, now=None, hold_token=None, **contact):
    booking, token = services.create_booking(
        services.SlotChoice(start, persons, unit_id), "own", details(**contact),
        now=now or local(2027, 2, 15, 10, 0), tz=CPH, settings=SETTINGS, hold_token=hold_token)
    db.session.commit()
    return booking, token


def reservation_starts(booking_id):
    return sorted(db.session.scalars(
        sa.select(SlotReservation.start_at).where(SlotReservation.booking_id == booking_id)))


def test_equal_instants_clash_and_read_back_as_utc(make_unit):
    unit = make_unit()
    db.session.add(SlotReservation(unit_id=unit.id, start_at=local(2027, 3, 29, 9, 0),
                                   expires_at=local(2027, 3, 29, 9, 10)))
    db.session.commit()
    db.session.add(SlotReservation(unit_id=unit.id,
                                   start_at=datetime(2027, 3, 29, 7, 0, tzinfo=UTC),
                                   expires_at=local(2027, 3, 29, 9, 10)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    stored = db.session.scalar(sa.select(SlotReservation.start_at))
    assert stored == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert stored.tzinfo is UTC
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetime_is_rejected(make_unit):
    unit = make_unit()
    db.session.add(SlotReservation(unit_id=unit.id, start_at=datetime(2027, 4, 5, 9, 0),
                                   expires_at=local(2027, 4, 5, 9, 10)))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_create_booking_takes_consecutive_slots(make_unit, clock):
    unit = make_unit()
    booking, token = book(local(2027, 4, 5, 9, 0), persons=3)

    assert booking.unit_id == unit.id
    assert booking.status == Status.BOOKED
    assert booking.start_at == local(2027, 4, 5, 9, 0)
    assert booking.end_at == local(2027, 4, 5, 9, 45)
    assert reservation_starts(booking.id) == [
        local(2027, 4, 5, 9, 0), local(2027, 4, 5, 9, 15), local(2027, 4, 5, 9, 30)]
    assert len(booking.code) == 6
    assert queries.get_booking_by_token(token).id == booking.id
    assert booking.manage_token_hash != token
    assert len(token) >= 43  # 32 random bytes, base64


def test_booking_outside_opening_hours_is_refused(make_unit, clock):
    make_unit()
    for start in [local(2027, 4, 5, 8, 45), local(2027, 4, 5, 9, 5), local(2027, 4, 5, 11, 45)]:
        with pytest.raises(services.SlotUnavailable):
            book(start, persons=2 if start.hour == 11 else 1)
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_booking_within_lead_time_is_refused(make_unit, clock):
    make_unit()
    clock.set(local(2027, 4, 5, 8, 0))
    with pytest.raises(services.SlotUnavailable):
        book(local(2027, 4, 5, 9, 45), now=clock())
    db.session.rollback()
    booking, _ = book(local(2027, 4, 5, 10, 0), now=clock())
    assert booking.start_at == local(2027, 4, 5, 10, 0)


def test_booked_slot_is_refused(make_unit, clock):
    make_unit()
    book(local(2027, 4, 5, 9, 15))
    with pytest.raises(services.SlotUnavailable):
        book(local(2027, 4, 5, 9, 0), persons=2, email="other@example.invalid")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_hold_blocks_others_until_it_expires(make_unit, clock):
    make_unit()
    choice = services.SlotChoice(local(2027, 4, 5, 9, 0), 1)
    services.hold_slot(choice, "citizen-a", now=clock(), tz=CPH, settings=SETTINGS)
    db.session.commit()

    with pytest.raises(services.SlotUnavailable):
        services.hold_slot(choice, "citizen-b", now=clock(), tz=CPH, settings=SETTINGS)
    db.session.rollback()

    later = clock() + timedelta(minutes=10, seconds=1)
    hold = services.hold_slot(choice, "citizen-b", now=later, tz=CPH, settings=SETTINGS)
    db.session.commit()
    assert hold.expires_at == later + timedelta(minutes=10)
    tokens = db.session.scalars(sa.select(SlotReservation.hold_token)).all()
    assert tokens == ["citizen-b"]


def test_expired_hold_still_converts_when_nobody_took_it(make_unit, clock):
    make_unit()
    start = local(2027, 4, 5, 9, 0)
    services.hold_slot(services.SlotChoice(start, 1), "citizen-a", now=clock(), tz=CPH,
                       settings=SETTINGS)
    db.session.commit()

    booking, _ = book(start, now=clock() + timedelta(minutes=30), hold_token="citizen-a")

    rows = db.session.scalars(sa.select(SlotReservation)).all()
    assert [(row.booking_id, row.hold_token, row.expires_at) for row in rows] == [
        (booking.id, None, None)]


def test_new_hold_releases_the_previous_one(make_unit, clock):
    make_unit()
    for minute in (0, 30):
        services.hold_slot(services.SlotChoice(local(2027, 4, 5, 9, minute), 1), "citizen-a",
                           now=clock(), tz=CPH, settings=SETTINGS)
        db.session.commit()

    starts = db.session.scalars(sa.select(SlotReservation.start_at)).all()
    assert starts == [local(2027, 4, 5, 9, 30)]


def test_any_unit_mode_three_requests_two_units(make_unit, clock):
    first = make_unit("PAS 1", position=1)
    second = make_unit("PAS 2", position=2)
    start = local(2027, 4, 5, 9, 0)
    results = []
    for index in range(3):
        try:
            booking, _ = book(start, email=f"citizen{index}@example.invalid")
            results.append(booking.unit_id)
        except services.SlotUnavailable:
            db.session.rollback()
            results.append(None)

    assert sorted(results[:2]) == [first.id, second.id]
    assert results[2] is None
    alternatives = queries.nearest_alternatives(start, now=clock(), tz=CPH)
    assert alternatives[0].start == local(2027, 4, 5, 9, 15)


def test_booking_limit_per_email_and_phone(make_unit, clock):
    make_unit()
    book(local(2027, 4, 5, 9, 0), email="Anna@Example.invalid", phone="+4520123456")

    with pytest.raises(services.BookingLimitReached) as refusal:
        book(local(2027, 4, 5, 10, 0), email="anna@example.invalid")
    assert refusal.value.field == "email"
    db.session.rollback()
    with pytest.raises(services.BookingLimitReached) as refusal:
        book(local(2027, 4, 5, 10, 0), email="other@example.invalid", phone="+4520123456")
    assert refusal.value.field == "phone"
    db.session.rollback()


def test_cancelled_or_past_booking_does_not_count_against_limit(make_unit, clock):
    make_unit()
    first, _ = book(local(2027, 4, 5, 9, 0))
    services.cancel_booking(first, now=clock(), settings=SETTINGS)
    db.session.commit()

    second, _ = book(local(2027, 4, 5, 9, 0))
    assert second.start_at == first.start_at


def test_reschedule_keeps_shared_slots_and_frees_old(make_unit, clock):
    make_unit()
    booking, _ = book(local(2027, 4, 5, 9, 0), persons=2)

    services.reschedule_booking(booking, services.SlotChoice(local(2027, 4, 5, 9, 15), 2),
                                now=clock(), tz=CPH, settings=SETTINGS)
    db.session.commit()

    assert booking.sequence == 1
    assert booking.start_at == local(2027, 4, 5, 9, 15)
    assert booking.end_at == local(2027, 4, 5, 9, 45)
    assert reservation_starts(booking.id) == [local(2027, 4, 5, 9, 15), local(2027, 4, 5, 9, 30)]
    free = queries.list_free_slots(local(2027, 4, 5).date(), local(2027, 4, 5).date(),
                                   now=clock(), tz=CPH)
    assert free[0].start == local(2027, 4, 5, 9, 0)


def test_reschedule_to_taken_time_keeps_old_time(make_unit, clock):
    make_unit()
    booking, _ = book(local(2027, 4, 5, 9, 0))
    book(local(2027, 4, 5, 10, 0), email="other@example.invalid")

    with pytest.raises(services.SlotUnavailable):
        services.reschedule_booking(booking, services.SlotChoice(local(2027, 4, 5, 10, 0), 1),
                                    now=clock(), tz=CPH, settings=SETTINGS)
    db.session.rollback()

    db.session.refresh(booking)
    assert booking.start_at == local(2027, 4, 5, 9, 0)
    assert booking.sequence == 0
    assert reservation_starts(booking.id) == [local(2027, 4, 5, 9, 0)]


def test_cancel_frees_time_at_once(make_unit, clock):
    make_unit()
    booking, _ = book(local(2027, 4, 5, 9, 0))

    services.cancel_booking(booking, now=clock(), settings=SETTINGS)
    db.session.commit()

    assert booking.status == Status.CANCELLED
    assert booking.sequence == 1
    assert booking.cancelled_at == clock()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlotReservation)) == 0
    with pytest.raises(services.BookingNotChangeable):
        services.cancel_booking(booking, now=clock(), settings=SETTINGS)


def test_cancel_with_rerelease_delay_holds_time_back(make_unit, clock):
    make_unit()
    booking, _ = book(local(2027, 4, 5, 9, 0))
    delayed = services.BookingSettings(rerelease_minutes=30)

    services.cancel_booking(booking, now=clock(), settings=delayed)
    db.session.commit()

    day = local(2027, 4, 5).date()
    free = queries.list_free_slots(day, day, now=clock(), tz=CPH)
    assert local(2027, 4, 5, 9, 0) not in [slot.start for slot in free]
    later = clock() + timedelta(minutes=31)
    free = queries.list_free_slots(day, day, now=later, tz=CPH)
    assert free[0].start == local(2027, 4, 5, 9, 0)
    again, _ = book(local(2027, 4, 5, 9, 0), now=later, email="next@example.invalid")
    assert again.start_at == local(2027, 4, 5, 9, 0)


def test_started_booking_cannot_change(make_unit, clock):
    make_unit()
    booking, _ = book(local(2027, 4, 5, 9, 0))

    with pytest.raises(services.BookingNotChangeable):
        services.cancel_booking(booking, now=local(2027, 4, 5, 9, 0), settings=SETTINGS)


@pytest.mark.slow
def test_concurrent_bookings_of_one_slot(app, make_unit, clock):
    make_unit()
    threads_count = 50 if db.engine.dialect.name == "postgresql" else 20
    start = local(2027, 4, 5, 9, 0)
    barrier = threading.Barrier(threads_count)
    outcomes = []

    def attempt(index):
        with app.app_context():
            barrier.wait()
            try:
                book(start, unit_id=None, email=f"c{index}@example.invalid")
                outcomes.append("booked")
            except services.SlotUnavailable:
                db.session.rollback()
                outcomes.append("taken")
            except Exception as error:  # noqa: BLE001 - every other outcome is the failure
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("booked") == 1
    assert outcomes.count("taken") == threads_count - 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1
