"""The audit log: who changed what and when, with the fields before and after.

Snapshots leave out secrets (passwords, hashes, tokens) and a citizen's name and
contact details. Personal data is erased from bookings after the retention period, and
the log must not keep a copy of it.
"""

import json
import logging
from datetime import UTC, date, datetime, time

from admin.models import AuditEntry
from pastid.extensions import db

logger = logging.getLogger(__name__)

# A key is dropped when it contains one of these parts, e.g. "password_hash",
# "manage_token_hash" or "new_password".
SECRET_KEY_PARTS = ("password", "hash", "token", "secret")
PERSONAL_KEYS = frozenset({"name", "email", "phone"})


def _is_kept(key):
    lowered = key.lower()
    return lowered not in PERSONAL_KEYS and not any(part in lowered for part in SECRET_KEY_PARTS)


def _plain(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return clean(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def clean(values):
    """Return values without secret or personal keys, with times as ISO 8601 strings.

    Aware instants are written in UTC, so equal instants compare equal as text.
    """
    if values is None:
        return None
    return {key: _plain(value) for key, value in values.items() if _is_kept(key)}


def snapshot(obj, fields):
    """Return {field: value} of obj's fields for a before or after record."""
    return clean({field: getattr(obj, field) for field in fields})


def _dump(values):
    cleaned = clean(values)
    return None if cleaned is None else json.dumps(cleaned, ensure_ascii=False, sort_keys=True)


def record(staff_id, action, obj, before, after, now, object_type=None, object_id=None):
    """Add an audit entry for action on obj by staff_id (None: command line or device).

    obj may be None for actions on something without a row, such as the holiday rules;
    then object_type and object_id name it.
    """
    if object_id is None and obj is not None:
        object_id = str(obj.id)
    entry = AuditEntry(
        at=now, staff_id=staff_id, action=action, object_type=object_type or obj.__tablename__,
        object_id=object_id, before=_dump(before), after=_dump(after))
    db.session.add(entry)
    logger.info("audit: staff %s %s %s %s", staff_id, action, entry.object_type, entry.object_id)
    return entry


def load(text):
    """Return a stored before or after value as a dict (empty for None)."""
    return json.loads(text) if text else {}
