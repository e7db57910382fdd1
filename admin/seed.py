"""Demo data: one staff account per role, each with a random password printed once, and
a counter for each demo PAS unit."""

import secrets

import sqlalchemy as sa

from admin import accounts
from admin.models import Counter, Role
from booking.models import Unit
from pastid.extensions import db
from pastid.timeutil import now_utc

DEMO_ACCOUNTS = [
    ("skranke", "Skranke Demo", Role.FRONTDESK),
    ("pas", "PAS Demo", Role.STAFF),
    ("leder", "Leder Demo", Role.CHIEF),
    ("admin", "Admin Demo", Role.ADMIN),
]
# (counter name, unit name): the desks the booking package's demo units are served from.
DEMO_COUNTERS = [("Skranke 5", "PAS 1"), ("Skranke 6", "PAS 2")]


def seed_demo_staff():
    """Create the missing demo accounts and counters and commit; return lines to print.

    The passwords are printed here and nowhere else: only their hashes are stored.
    """
    lines = []
    for username, display_name, role in DEMO_ACCOUNTS:
        if accounts.get_staff_by_username(username) is not None:
            lines.append(f"staff {username}: already there")
            continue
        password = secrets.token_urlsafe(12)
        accounts.create_staff(username, display_name, role, password, actor_id=None,
                              now=now_utc())
        lines.append(f"staff {username} ({role}): password {password}")
    lines.extend(_seed_counters())
    db.session.commit()
    return lines


def _seed_counters():
    lines = []
    for counter_name, unit_name in DEMO_COUNTERS:
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == unit_name))
        if unit is None:
            continue
        taken = db.session.scalar(sa.select(Counter.id).where(
            sa.or_(Counter.name == counter_name, Counter.unit_id == unit.id)))
        if taken is not None:
            continue
        db.session.add(Counter(name=counter_name, unit_id=unit.id))
        lines.append(f"counter {counter_name}: serves {unit_name}")
    return lines
