"""ALTCHA proof of work on the last booking step, so bots cannot hoard scarce times.

The altcha library verifies a solved challenge but accepts the same payload again, so
each verified challenge's signature is recorded until it expires and refused the second
time. Challenge expiry is checked by the library against the real clock.
"""

import hashlib
import hmac
import logging
import time
from datetime import UTC, datetime

import altcha
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from booking.models import AltchaUse
from pastid.extensions import db

logger = logging.getLogger(__name__)

ALGORITHM = "PBKDF2/SHA-256"


def _secret(secret_key):
    return hmac.new(secret_key.encode(), b"pastid-altcha", hashlib.sha256).hexdigest()


def new_challenge(secret_key, *, cost, ttl_seconds):
    """Return a signed challenge as the JSON-ready dict the widget fetches."""
    challenge = altcha.create_challenge(
        ALGORITHM, cost, hmac_secret=_secret(secret_key),
        expires_at=int(time.time()) + ttl_seconds)
    return challenge.to_dict()


def verify_and_spend(payload, secret_key):
    """Return True once for a valid, unexpired, solved challenge; False otherwise."""
    if not payload or len(payload) > 4000:
        return False
    result = altcha.verify_solution(payload, _secret(secret_key))
    if not result.verified:
        logger.warning("proof of work rejected (expired=%s)", result.expired)
        return False
    challenge = altcha.Payload.from_base64(payload).challenge
    expires_at = datetime.fromtimestamp(challenge.parameters.expires_at, UTC)
    try:
        with db.session.begin_nested():
            db.session.add(AltchaUse(signature=challenge.signature[:128], expires_at=expires_at))
            db.session.flush()  # The primary key refuses a payload used before.
    except IntegrityError:
        logger.warning("proof of work rejected: payload used before")
        return False
    return True


def purge_spent(now):
    """Delete records of spent challenges that have expired anyway; return the count."""
    result = db.session.execute(sa.delete(AltchaUse).where(AltchaUse.expires_at < now))
    return result.rowcount

