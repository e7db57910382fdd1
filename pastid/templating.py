"""Jinja filters and globals shared by every template."""

from flask import current_app
from flask_babel import get_locale, gettext

from pastid import timeutil


def current_language():
    locale = get_locale()
    return locale.language if locale else "da"


def local_zone():
    return timeutil.zone(current_app.config["TIMEZONE"])


def register(app):
    @app.template_filter("local_datetime")
    def local_datetime(instant):
        return timeutil.format_local(instant, local_zone(), current_language())

    @app.template_filter("local_day")
    def local_day(value):
        if hasattr(value, "astimezone") and hasattr(value, "hour"):
            value = value.astimezone(local_zone())
        return timeutil.format_day(value, current_language())

    @app.template_filter("local_time")
    def local_time(instant):
        return timeutil.format_time(instant.astimezone(local_zone()), current_language())

    @app.template_filter("local_date_iso")
    def local_date_iso(instant):
        return instant.astimezone(local_zone()).date().isoformat()

    @app.template_filter("upper_first")
    def upper_first(text):
        """Upper-case the first letter only; Jinja's capitalize lower-cases the rest,
        which turns 'Monday 7 December' into 'Monday 7 december'."""
        return text[:1].upper() + text[1:]

    @app.template_filter("short_date")
    def short_date(value):
        return timeutil.format_short_date(value)

    @app.context_processor
    def site_context():
        return {
            "municipality_name": app.config["MUNICIPALITY_NAME"],
            "centre_name": app.config["CENTRE_NAME"],
            "centre_address": app.config["CENTRE_ADDRESS"],
            "centre_phone": app.config["CENTRE_PHONE"],
            "solution_title": gettext("Tidsbestilling til pas"),
            "current_language": current_language(),
        }
