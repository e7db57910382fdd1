"""Staff side: login and roles, units and closures, check-in, the queue, audit log."""


def init_app(app):
    """Register the staff blueprints, commands, seeders and jobs on the application."""
    from admin import auth, cli, labels, models, public, seed, views  # noqa: F401  (models)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _add_sqlite_functions(app)
    auth.init_login(app)
    labels.register(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    app.cli.add_command(cli.users)
    app.extensions["pastid.seeders"].append(seed.seed_demo_staff)


def _add_sqlite_functions(app):
    import sqlalchemy as sa

    from admin.queries import add_sqlite_functions
    from pastid.extensions import db

    with app.app_context():
        sa.event.listen(db.engine, "connect", add_sqlite_functions)
