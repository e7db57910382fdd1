"""Pastid: online booking of fast-track passport times at a citizen service centre."""

import logging
from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from pastid.config import load_config
from pastid.extensions import babel, csrf, db, limiter, migrate

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("da", "en")


def select_locale():
    """Return the language chosen with the switch, else the page's own, else Danish.

    A page about one booking (its manage link) sets g.page_language to the language the
    citizen booked in, so a link opened in another browser keeps that language.
    """
    for language in (session.get("lang"), g.get("page_language")):
        if language in LANGUAGES:
            return language
    return "da"


class Pastid(Flask):
    def log_exception(self, exc_info):
        """Log an unhandled exception without the secret token some paths carry."""
        from pastid.errors import redact_path

        self.logger.error("Exception on %s [%s]", redact_path(request.path), request.method,
                          exc_info=exc_info)


def create_app(overrides=None):
    """Create the application; overrides win over environment and defaults (for tests)."""
    app = Pastid(
        "pastid",
        root_path=str(ROOT),
        instance_path=str(ROOT / "instance"),
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(load_config(app.instance_path, overrides))
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    app.extensions["pastid.seeders"] = []
    app.extensions["pastid.jobs"] = []
    _init_extensions(app)
    _configure_logging(app)

    from pastid import cli, core, errors, security, templating

    app.register_blueprint(core.bp)
    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    _init_features(app)
    if app.config["BENCH_ENDPOINTS"]:
        from pastid import bench

        app.register_blueprint(bench.bp)
    return app


def _init_extensions(app):
    from pastid.database import configure_sqlite, render_migration_item

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True,
                     render_as_batch=True, render_item=render_migration_item)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    _use_danish_wtforms_messages()
    limiter.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale


def _use_danish_wtforms_messages():
    """Let Flask-WTF find the Danish catalog of WTForms' own messages in translations/.

    WTForms ships no Danish catalog, so a field's built-in message such as "Not a valid
    choice." would reach Danish pages in English. Flask-WTF 1.3 loads the "wtforms"
    domain from the folder that flask_wtf.i18n.messages_path() returns.
    """
    import flask_wtf.i18n

    flask_wtf.i18n.messages_path = lambda: str(ROOT / "translations")


def _init_features(app):
    """Let each feature package register its blueprints, seeders, jobs and commands.

    The order matters: a later package may build on an earlier one's models.
    """
    import admin
    import booking
    import kpi

    for feature in (booking, admin, kpi):
        feature.init_app(app)


def _configure_logging(app):
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
