"""Satisfaction survey, the agreement's goals and their evaluation, dashboard and reports."""


def init_app(app):
    """Register the KPI blueprints, commands, seeders and jobs on the application."""
    from kpi import models  # noqa: F401  (the tables)
