"""The PAS unit's queue: order, calling, serving, no-shows, back in the queue, the screen."""

from datetime import time

import pytest
import sqlalchemy as sa

from admin import queries, services
from admin.models import AuditEntry, Counter, WalkIn
from admin_support import book, reload
from booking.models import Status
from pastid.extensions import db
from support import CPH, csrf_token, local

OPEN = {weekday: [(time(9, 0), time(15, 0))] for weekday in range(5)}
EARLY = local(2027, 2, 15, 8, 0)
WINDOW = services.CheckinWindow()


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def units(make_unit, clock):
    return (make_unit("PAS 1", hours=OPEN, lead_minutes=0, position=1),
            make_unit("PAS 2", hours=OPEN, lead_minutes=0, position=2))


@pytest.fixture
def pas(staff_client, clock):
    return staff_client("staff")


def arrive(booking, clock, at):
    """Check booking in at the local time at, then put the clock back."""
    saved = clock()
    clock.set(at)
    result = services.check_in(booking.code, now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    assert result.outcome == services.Outcome.CHECKED_IN
    db.session.commit()
    clock.set(saved)
    return booking


def walk_in(at):
    registered = services.register_walk_in("own", 1, now=at, tz=CPH, actor_id=None)
    db.session.commit()
    return registered


def labels(unit):
    queue = queries.get_unit_queue(unit.id, local(2027, 2, 15).date(), CPH)
    return [entry.label for entry in queue.waiting]


def act(client, unit, kind, item_id, action):
    page = client.get(f"/personale/pas/{unit.id}")
    response = client.post(f"/personale/pas/{unit.id}/{kind}/{item_id}/{action}",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    return client.get(f"/personale/pas/{unit.id}")


def test_queue_orders_by_booked_time(units, clock):
    pas1, _ = units
    late_booking = book(pas1, local(2027, 2, 15, 10, 30), code="CCC333", now=EARLY)
    early_booking = book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY)
    arrive(late_booking, clock, local(2027, 2, 15, 10, 0))
    arrive(early_booking, clock, local(2027, 2, 15, 10, 1))

    assert labels(pas1) == ["AAA222", "CCC333"]


def test_walk_in_takes_first_gap_after_arrival(units, clock):
    pas1, _ = units
    first = book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY)
    second = book(pas1, local(2027, 2, 15, 10, 30), code="CCC333", now=EARLY)
    arrive(first, clock, local(2027, 2, 15, 9, 45))
    arrive(second, clock, local(2027, 2, 15, 10, 2))
    walk_in(local(2027, 2, 15, 10, 5))
    walk_in(local(2027, 2, 15, 9, 40))

    assert labels(pas1) == ["W2", "AAA222", "W1", "CCC333"]


def test_booking_goes_first_on_equal_time(units, clock):
    pas1, _ = units
    booking = book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY)
    arrive(booking, clock, local(2027, 2, 15, 9, 50))
    walk_in(local(2027, 2, 15, 10, 0))

    assert labels(pas1) == ["AAA222", "W1"]


def test_queue_holds_only_checked_in_bookings_of_unit(units, clock):
    pas1, pas2 = units
    arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
           local(2027, 2, 15, 9, 50))
    book(pas1, local(2027, 2, 15, 10, 15), code="BBB222", now=EARLY)
    arrive(book(pas2, local(2027, 2, 15, 10, 0), code="DDD444", now=EARLY), clock,
           local(2027, 2, 15, 9, 50))
    walk_in(local(2027, 2, 15, 10, 3))

    assert labels(pas1) == ["AAA222", "W1"]
    assert labels(pas2) == ["DDD444", "W1"]


def test_call_serve_records_each_time(pas, units, clock):
    pas1, _ = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
                     local(2027, 2, 15, 9, 50))

    page = text_of(act(pas, pas1, "booking", booking.id, "call"))
    assert "AAA222 er kaldt op og vises på skærmen." in page
    clock.advance(minutes=2)
    act(pas, pas1, "booking", booking.id, "start")
    clock.advance(minutes=11)
    act(pas, pas1, "booking", booking.id, "serve")

    booking = reload(booking)
    assert booking.status == Status.SERVED
    assert booking.checked_in_at == local(2027, 2, 15, 9, 50)
    assert booking.called_at == local(2027, 2, 15, 10, 0)
    assert booking.serving_started_at == local(2027, 2, 15, 10, 2)
    assert booking.served_at == local(2027, 2, 15, 10, 13)
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["booking.check_in", "booking.call", "booking.start", "booking.serve"]


def test_double_call_records_once(pas, units, clock):
    pas1, _ = units
    first = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
                   local(2027, 2, 15, 9, 50))
    second = arrive(book(pas1, local(2027, 2, 15, 10, 15), code="BBB222", now=EARLY), clock,
                    local(2027, 2, 15, 9, 52))

    act(pas, pas1, "booking", first.id, "call")
    clock.advance(seconds=1)
    page = text_of(act(pas, pas1, "booking", first.id, "call"))

    assert "Enheden har allerede kaldt en borger op." in page
    assert reload(first).called_at == local(2027, 2, 15, 10, 0)
    assert reload(second).called_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "booking.call")) == 1


def test_double_serve_records_once(units, clock):
    pas1, _ = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
                     local(2027, 2, 15, 9, 50))
    for action in ("call", "start", "serve"):
        services.move("booking", booking.id, action, unit_id=pas1.id, now=clock(), actor_id=None)
    clock.advance(minutes=1)

    with pytest.raises(services.NotInExpectedState):
        services.move("booking", booking.id, "serve", unit_id=pas1.id, now=clock(),
                      actor_id=None)

    assert reload(booking).served_at == local(2027, 2, 15, 10, 0)


def test_requeue_clears_unanswered_call(pas, units, clock):
    pas1, _ = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
                     local(2027, 2, 15, 9, 50))
    act(pas, pas1, "booking", booking.id, "call")
    clock.advance(minutes=3)

    page = text_of(act(pas, pas1, "booking", booking.id, "requeue"))

    assert "AAA222 er sat tilbage i køen." in page
    booking = reload(booking)
    assert booking.status == Status.CHECKED_IN
    assert booking.called_at is None
    assert booking.checked_in_at == local(2027, 2, 15, 9, 50)
    assert labels(pas1) == ["AAA222"]

    clock.advance(minutes=5)
    act(pas, pas1, "booking", booking.id, "call")
    assert reload(booking).called_at == local(2027, 2, 15, 10, 8)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "booking.requeue"))
    assert '"called_at": "2027-02-15T09:00:00+00:00"' in entry.before


def test_no_show_after_call(pas, units, clock):
    pas1, _ = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
                     local(2027, 2, 15, 9, 50))
    act(pas, pas1, "booking", booking.id, "call")
    clock.advance(minutes=4)

    act(pas, pas1, "booking", booking.id, "no_show")

    booking = reload(booking)
    assert booking.status == Status.NO_SHOW
    assert booking.no_show_at == local(2027, 2, 15, 10, 4)
    assert labels(pas1) == []


def test_walk_in_is_called_to_calling_unit(pas, units, clock):
    pas1, pas2 = units
    registered = walk_in(local(2027, 2, 15, 9, 55))

    act(pas, pas2, "walk_in", registered.id, "call")

    called = db.session.get(WalkIn, registered.id)
    db.session.refresh(called)
    assert called.unit_id == pas2.id
    assert called.called_at == local(2027, 2, 15, 10, 0)
    assert labels(pas1) == []
    with pytest.raises(services.NotInExpectedState):
        services.move("walk_in", registered.id, "call", unit_id=pas1.id, now=clock(),
                      actor_id=None)


def test_walk_in_requeue_frees_unit(units, clock):
    pas1, pas2 = units
    registered = walk_in(local(2027, 2, 15, 9, 55))
    services.move("walk_in", registered.id, "call", unit_id=pas1.id, now=clock(), actor_id=None)

    services.move("walk_in", registered.id, "requeue", unit_id=pas1.id, now=clock(),
                  actor_id=None)
    db.session.commit()

    requeued = db.session.get(WalkIn, registered.id)
    assert requeued.unit_id is None
    assert requeued.called_at is None
    assert labels(pas2) == ["W1"]


def test_other_unit_cannot_move_booking(units, clock):
    pas1, pas2 = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", now=EARLY), clock,
                     local(2027, 2, 15, 9, 50))

    with pytest.raises(services.NotInExpectedState):
        services.move("booking", booking.id, "call", unit_id=pas2.id, now=clock(),
                      actor_id=None)

    assert reload(booking).called_at is None


def test_walk_in_tickets_count_per_day(units, clock):
    first = walk_in(local(2027, 2, 15, 9, 0))
    second = walk_in(local(2027, 2, 15, 9, 5))
    next_day = walk_in(local(2027, 2, 16, 9, 0))

    assert [first.ticket, second.ticket, next_day.ticket] == ["W1", "W2", "W1"]
    assert next_day.service_day.isoformat() == "2027-02-16"


def test_walk_in_page_gives_ticket(staff_client, units, clock):
    desk = staff_client("frontdesk")
    page = desk.get("/personale/uden-tid")

    response = desk.post("/personale/uden-tid", data={
        "csrf_token": csrf_token(page), "purpose": "child", "persons": "1"})

    assert response.status_code == 303
    assert "Borgeren er registreret med nummer W1." in text_of(desk.get("/personale/uden-tid"))
    registered = db.session.scalar(sa.select(WalkIn))
    assert registered.arrived_at == local(2027, 2, 15, 10, 0)
    assert registered.purpose == "child"
    assert registered.created_by_id == desk.staff.id


def test_screen_shows_code_tail_and_unit(client, pas, units, clock):
    pas1, pas2 = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA7QX", name="Åse Øby",
                          now=EARLY), clock, local(2027, 2, 15, 9, 50))
    registered = walk_in(local(2027, 2, 15, 9, 55))
    act(pas, pas1, "booking", booking.id, "call")
    clock.advance(minutes=1)
    act(pas, pas2, "walk_in", registered.id, "call")

    data = client.get("/screen/data.json").get_json()
    page = text_of(client.get("/screen"))

    assert data == {"calls": [
        {"label": "W1", "unit": "PAS 2", "counter": "", "time": "10.01"},
        {"label": "7QX", "unit": "PAS 1", "counter": "", "time": "10.00"},
    ]}
    assert "7QX" in page
    assert "AAA7QX" not in page
    assert "Åse" not in page


def test_unit_page_shows_consent_reminder(pas, units, clock):
    pas1, _ = units
    booking = arrive(book(pas1, local(2027, 2, 15, 10, 0), code="AAA222", purpose="child",
                          now=EARLY), clock, local(2027, 2, 15, 9, 50))

    page = text_of(act(pas, pas1, "booking", booking.id, "call"))

    assert "Tjek samtykke fra alle med forældremyndighed." in page


def test_missed_booking_after_late_window(staff_client, units, clock):
    pas1, _ = units
    desk = staff_client("frontdesk")
    booking = book(pas1, local(2027, 2, 15, 9, 30), code="AAA222", now=EARLY)

    page = desk.get(f"/personale/bookinger/{booking.id}")
    desk.post(f"/personale/bookinger/{booking.id}/udeblevet",
              data={"csrf_token": csrf_token(page)})

    booking = reload(booking)
    assert booking.status == Status.NO_SHOW
    assert booking.no_show_at == local(2027, 2, 15, 10, 0)


def test_missed_booking_refused_inside_window(units, clock):
    pas1, _ = units
    booking = book(pas1, local(2027, 2, 15, 9, 45), code="AAA222", now=EARLY)

    with pytest.raises(services.NotInExpectedState):
        services.mark_missed_booking(booking, now=clock(), window=WINDOW, actor_id=None)


def test_screen_names_counter_of_unit(client, units, clock):
    pas1, _ = units
    db.session.add(Counter(name="Skranke 5", unit_id=pas1.id))
    registered = walk_in(local(2027, 2, 15, 9, 55))
    services.move("walk_in", registered.id, "call", unit_id=pas1.id, now=clock(), actor_id=None)
    db.session.commit()

    data = client.get("/screen/data.json").get_json()

    assert data == {"calls": [
        {"label": "W1", "unit": "PAS 1", "counter": "Skranke 5", "time": "10.00"}]}
