"""Staff accounts: login with lockout, creation, passwords, roles and deactivation.

The functions take plain values and the acting time, and leave the commit to the
caller. A failed login changes the account (its failure count), so the caller commits
after LoginFailed too.
"""

import logging
import re
from datetime import timedelta
from functools import lru_cache

import sqlalchemy as sa

from admin import audit
from admin.auth import hash_password, needs_rehash, password_hasher, verify_password
from admin.models import Role, Staff
from pastid.extensions import db

logger = logging.getLogger(__name__)

LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")

AUDITED_FIELDS = ("username", "display_name", "role", "is_active", "session_version")


class AccountError(Exception):
    """Base of the refusals of account changes; views turn each into a Danish message."""


class LoginFailed(AccountError):
    """Unknown username, wrong password, inactive or locked account: deliberately one case."""


class UsernameTaken(AccountError):
    pass


class InvalidUsername(AccountError):
    pass


class InvalidPassword(AccountError):
    """The password is too short, too long, or the same as the username."""


class LastAdmin(AccountError):
    """The change would leave no active admin account."""


def normalize_username(raw):
    """Return the username in lower case without surrounding spaces."""
    return (raw or "").strip().lower()


def get_staff_by_username(username):
    return db.session.scalar(sa.select(Staff).where(Staff.username == normalize_username(username)))


def list_staff():
    query = sa.select(Staff).order_by(Staff.is_active.desc(), Staff.username)
    return db.session.scalars(query).all()


@lru_cache(maxsize=4)
def _dummy_hash(time_cost, memory_kib, parallelism):
    hasher = password_hasher({"ARGON2_TIME_COST": time_cost, "ARGON2_MEMORY_KIB": memory_kib,
                              "ARGON2_PARALLELISM": parallelism})
    return hasher.hash("not a password of anyone")


def _spend_verification_time(config):
    """Verify against a dummy hash, so an unknown username takes as long as a known one."""
    verify_password(_dummy_hash(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"],
                                config["ARGON2_PARALLELISM"]), "wrong")


def authenticate(username, password, *, now, config):
    """Return the active staff member with these credentials; raise LoginFailed.

    A locked account is refused without checking the password, so guessing goes on
    to nothing while the lock lasts. Five failures in a row lock the account for
    fifteen minutes.
    """
    staff = get_staff_by_username(username)
    if staff is None or not staff.is_active:
        _spend_verification_time(config)
        logger.warning("login rejected: unknown or inactive account")
        raise LoginFailed()
    if staff.locked_until is not None and staff.locked_until > now:
        logger.warning("login rejected: staff %s is locked", staff.id)
        raise LoginFailed()
    if not verify_password(staff.password_hash, password or ""):
        _register_failure(staff, now)
        raise LoginFailed()

    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    logger.info("staff %s logged in", staff.id)
    return staff


def _register_failure(staff, now):
    # Count in the database, so that simultaneous wrong guesses all count.
    failures = db.session.execute(
        sa.update(Staff).where(Staff.id == staff.id)
        .values(failed_logins=Staff.failed_logins + 1)
        .returning(Staff.failed_logins)
    ).scalar_one()
    if failures >= LOCK_AFTER_FAILURES:
        db.session.execute(
            sa.update(Staff).where(Staff.id == staff.id)
            .values(failed_logins=0, locked_until=now + timedelta(minutes=LOCK_MINUTES)))
        logger.warning("staff %s locked for %s minutes after %s failed logins", staff.id,
                       LOCK_MINUTES, failures)
    else:
        logger.warning("failed login for staff %s (%s in a row)", staff.id, failures)
    db.session.expire(staff)


def check_password_rules(username, password):
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidPassword()
    if password.strip().lower() == username:
        raise InvalidPassword()


def _check_username(username):
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidUsername()


def create_staff(username, display_name, role, password, *, actor_id, now):
    """Create an active account and return it; raise an AccountError."""
    username = normalize_username(username)
    _check_username(username)
    role = Role(role)
    check_password_rules(username, password)
    if get_staff_by_username(username) is not None:
        raise UsernameTaken()
    staff = Staff(username=username, display_name=display_name.strip(), role=role,
                  password_hash=hash_password(password), created_at=now)
    db.session.add(staff)
    # Flush for the id that the audit entry names; a simultaneous insert of the same
    # username fails here on the unique constraint.
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise UsernameTaken() from None
    audit.record(actor_id, "staff.create", staff, None, audit.snapshot(staff, AUDITED_FIELDS), now)
    logger.info("staff %s created with role %s", staff.id, role)
    return staff


def set_password(staff, password, *, actor_id, now):
    """Replace the password and end every session of the account."""
    check_password_rules(staff.username, password)
    before = audit.snapshot(staff, AUDITED_FIELDS)
    staff.password_hash = hash_password(password)
    staff.session_version += 1
    staff.failed_logins = 0
    staff.locked_until = None
    audit.record(actor_id, "staff.set_password", staff, before,
                 audit.snapshot(staff, AUDITED_FIELDS), now)
    return staff


def _count_other_active_admins(staff):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Staff)
        .where(Staff.role == Role.ADMIN, Staff.is_active, Staff.id != staff.id))


def _ensure_admin_remains(staff):
    if staff.role == Role.ADMIN and staff.is_active and _count_other_active_admins(staff) == 0:
        raise LastAdmin()


def update_staff(staff, display_name, role, *, actor_id, now):
    """Change the display name and role; raise LastAdmin if no admin would be left."""
    role = Role(role)
    if role != Role.ADMIN:
        _ensure_admin_remains(staff)
    before = audit.snapshot(staff, AUDITED_FIELDS)
    staff.display_name = display_name.strip()
    staff.role = role
    audit.record(actor_id, "staff.update", staff, before,
                 audit.snapshot(staff, AUDITED_FIELDS), now)
    return staff


def deactivate_staff(staff, *, actor_id, now):
    """Deactivate the account and end all its sessions; raise LastAdmin for the last admin."""
    _ensure_admin_remains(staff)
    before = audit.snapshot(staff, AUDITED_FIELDS)
    staff.is_active = False
    staff.session_version += 1
    audit.record(actor_id, "staff.deactivate", staff, before,
                 audit.snapshot(staff, AUDITED_FIELDS), now)
    logger.info("staff %s deactivated", staff.id)
    return staff


def activate_staff(staff, *, actor_id, now):
    before = audit.snapshot(staff, AUDITED_FIELDS)
    staff.is_active = True
    staff.failed_logins = 0
    staff.locked_until = None
    audit.record(actor_id, "staff.activate", staff, before,
                 audit.snapshot(staff, AUDITED_FIELDS), now)
    logger.info("staff %s activated", staff.id)
    return staff
