"""Helpers for the staff-side tests: bookings made directly through the booking services."""

import sqlalchemy as sa

from booking import services
from booking.models import Booking
from pastid import timeutil
from pastid.extensions import db
from support import CPH

# No booking limits, so that one test can book many times with one address.
UNLIMITED = services.BookingSettings(max_per_email=1000, max_per_phone=1000)


def book(unit, start, *, purpose="own", persons=1, name="Åse Øby", email="aase@example.com",
         phone=None, language="da", code=None, now=None):
    """Book start at unit through the booking services, commit, and return the booking.

    code replaces the drawn booking code, e.g. with a code a test types in.
    """
    booking, _token = services.create_booking(
        services.SlotChoice(start, persons, unit.id), purpose,
        services.ContactDetails(name, email, phone, language),
        now=now or timeutil.now_utc(), tz=CPH, settings=UNLIMITED)
    if code is not None:
        booking.code = code
    db.session.commit()
    return booking


def reload(booking):
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
