"""Staff side: login and roles, units and closures, check-in, the queue, audit log."""


def init_app(app):
    """Register the staff blueprints, commands, seeders and jobs on the application."""
