"""Helpers shared by the KPI views."""

from flask import abort, current_app
from flask_babel import get_locale
from flask_login import current_user

from kpi import queries
from pastid.timeutil import local_today, now_utc, zone


def tz():
    return zone(current_app.config["TIMEZONE"])


def today():
    return local_today(tz(), now_utc())


def language():
    locale = get_locale()
    return locale.language if locale and locale.language == "en" else "da"


def actor_id():
    """Return the logged-in staff member's id, the actor of audit entries."""
    return current_user.id


def agreement_or_404(year):
    agreement = queries.get_agreement_by_year(year)
    if agreement is None:
        abort(404)
    return agreement
