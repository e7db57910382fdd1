"""Pastid: online booking of fast-track passport times at a citizen service centre."""

import logging
from pathlib import Path

from flask import Flask, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from pastid.config import load_config
from pastid.extensions import babel, csrf, db, limiter, migrate

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("da", "en")


def select_locale():
    """Return the citizen's chosen language; Danish unless English was chosen."""
    language = session.get("lang")
    return language if language in LANGUAGES else "da"


def create_app(overrides=None):
    """Create the application; overrides win over environment and defaults (for tests)."""
    app = Flask(
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

    _init_extensions(app)
    _register_blueprints(app)
    _configure_logging(app)

    from pastid import cli, errors, security, templating

    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
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
    limiter.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale


def _register_blueprints(app):
    import booking.models  # noqa: F401  (registers the tables on the shared metadata)
    from booking.api import bp as booking_api
    from booking.views import bp as booking_views
    from pastid.core import bp as core

    app.register_blueprint(core)
    app.register_blueprint(booking_views)
    app.register_blueprint(booking_api)


def _configure_logging(app):
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
