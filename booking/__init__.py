"""Citizen booking: opening hours, slots, bookings, confirmation and the manage link."""


def init_app(app):
    """Register the booking blueprints, the demo seeder and the jobs on the application."""
    from booking import api, jobs, models, seed, views  # noqa: F401  (models: the tables)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.extensions["pastid.seeders"].append(seed.seed_demo_centre)
    app.extensions["pastid.jobs"].extend(jobs.list_jobs(app.config))
