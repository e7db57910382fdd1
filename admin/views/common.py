"""Small helpers shared by the staff views."""

from datetime import date

from flask import current_app
from flask_login import current_user

from admin.services import CheckinWindow
from booking import services as booking_services
from pastid.timeutil import local_today, now_utc, zone


def tz():
    return zone(current_app.config["TIMEZONE"])


def today():
    return local_today(tz(), now_utc())


def booking_settings():
    return booking_services.BookingSettings.from_config(current_app.config)


def checkin_window():
    return CheckinWindow.from_config(current_app.config)


def actor_id():
    """Return the logged-in staff member's id, the actor of audit entries."""
    return current_user.id


def parse_day(raw, default=None):
    """Return the date in raw (YYYY-MM-DD), or default when it is missing or invalid."""
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return default
