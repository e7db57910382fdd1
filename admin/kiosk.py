"""Self check-in devices: a tablet that a staff member puts into self check-in mode.

The device keeps a random token in a cookie; the database keeps only its SHA-256. A
revoked device stops working at its next request.
"""

import hashlib
import logging
import secrets

import sqlalchemy as sa

from admin import audit
from admin.models import KioskDevice
from pastid.extensions import db

logger = logging.getLogger(__name__)

COOKIE_NAME = "pastid_kiosk"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start_device(name, *, actor_id, now):
    """Register a device and return (device, token); the token goes into its cookie only."""
    token = secrets.token_urlsafe(32)
    device = KioskDevice(name=name, token_hash=_hash(token), created_by_id=actor_id,
                         created_at=now)
    db.session.add(device)
    db.session.flush()  # The audit entry names the device's id.
    audit.record(actor_id, "kiosk.start", device, None, {"name": name}, now)
    logger.info("self check-in device %s started by staff %s", device.id, actor_id)
    return device, token


def get_active_device(token):
    """Return the unrevoked device with this token, or None."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(KioskDevice).where(KioskDevice.token_hash == _hash(token),
                                     KioskDevice.revoked_at.is_(None)))


def touch_device(device, now):
    device.last_used_at = now


def revoke_device(device, *, actor_id, now):
    if device.revoked_at is not None:
        return device
    device.revoked_at = now
    audit.record(actor_id, "kiosk.revoke", device, {"revoked_at": None},
                 {"revoked_at": now}, now)
    logger.info("self check-in device %s revoked by staff %s", device.id, actor_id)
    return device
