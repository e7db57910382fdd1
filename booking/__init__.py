"""Citizen booking: opening hours, slots, bookings, confirmation and the manage link."""


def init_app(app):
    """Register the booking blueprints and the demo seeder on the application."""
    from booking import api, models, seed, views  # noqa: F401  (models: the tables)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.extensions["pastid.seeders"].append(seed.seed_demo_centre)
