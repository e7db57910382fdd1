"""Extension objects, created once here and bound to an application in create_app."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from pastid.database import db

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]


def client_address():
    """Return the client's address as the rate-limit key.

    Behind the reverse proxy, ProxyFix (enabled by PROXY_COUNT) has already replaced
    remote_addr with the address the proxy saw.
    """
    return request.remote_addr or "unknown"


babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
login_manager = LoginManager()
migrate = Migrate()
