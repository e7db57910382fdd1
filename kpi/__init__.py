"""Satisfaction survey, the agreement's goals and their evaluation, dashboard and reports."""


def init_app(app):
    """Register the KPI blueprints, commands, seeders and jobs on the application."""
    from kpi import cli, models, seed, views  # noqa: F401  (models: the tables)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.kpi)
    app.extensions["pastid.seeders"].append(seed.seed_demo_kpi)
