"""Staff login sessions, password hashing and the role check on every staff view.

A staff session is the Flask-Login user id "<staff id>:<session version>" plus the
instant of login. The user loader rejects the session when the account is inactive or
its session version has been raised (deactivation, new password). It also rejects a
login older than STAFF_SESSION_HOURS, so a session ends after a working day even while
it is in use.
"""

import functools
import logging
from datetime import datetime, timedelta

import argon2
from flask import abort, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from admin.models import Staff
from pastid.extensions import db, login_manager
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)

LOGIN_AT_KEY = "staff_login_at"


def password_hasher(config):
    """Return the argon2id hasher with the cost settings of config."""
    return argon2.PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_KIB"],
        parallelism=config["ARGON2_PARALLELISM"])


def hash_password(password):
    return password_hasher(current_app.config).hash(password)


def verify_password(password_hash, password):
    """Return whether password matches password_hash; a malformed hash never matches."""
    try:
        return password_hasher(current_app.config).verify(password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def needs_rehash(password_hash):
    return password_hasher(current_app.config).check_needs_rehash(password_hash)


def start_session(staff, now):
    """Log staff in for this browser session, replacing whatever the session held.

    The cookie is a browser-session cookie (not permanent), so it also ends when the
    browser closes.
    """
    session.clear()
    login_user(staff, remember=False)
    session[LOGIN_AT_KEY] = now.isoformat()


def end_session():
    logout_user()
    session.pop(LOGIN_AT_KEY, None)


def _session_expired(now):
    raw = session.get(LOGIN_AT_KEY)
    try:
        logged_in_at = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return True
    lifetime = timedelta(hours=current_app.config["STAFF_SESSION_HOURS"])
    return logged_in_at.tzinfo is None or now - logged_in_at >= lifetime


@login_manager.user_loader
def load_staff(user_id):
    """Return the logged-in staff member, or None when the session is no longer valid."""
    staff_id, _, version = user_id.partition(":")
    if not staff_id.isdigit() or not version.isdigit():
        return None
    staff = db.session.get(Staff, int(staff_id))
    if staff is None or not staff.is_active or staff.session_version != int(version):
        logger.info("session of staff %s ended: account inactive or logged out everywhere",
                    staff_id)
        return None
    if _session_expired(now_utc()):
        logger.info("session of staff %s ended: older than the session lifetime", staff_id)
        return None
    return staff


def init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Log ind for at se siden.")
    login_manager.login_message_category = "info"


def role_required(*roles):
    """Let a view through only for a logged-in staff member with one of roles.

    A role includes the roles ranked below it (admin > chief > staff > frontdesk), so
    role_required("chief") admits chiefs and admins. Without a login the browser is
    redirected to the login page with `next` set; with a login but no matching role the
    response is 403.
    """
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not any(current_user.has_role(role) for role in roles):
                logger.warning("staff %s with role %s rejected from %s", current_user.id,
                               current_user.role, view.__name__)
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
