"""Demo data: one staff account per role, each with a random password printed once."""

import secrets

from admin import accounts
from admin.models import Role
from pastid.extensions import db
from pastid.timeutil import now_utc

DEMO_ACCOUNTS = [
    ("skranke", "Skranke Demo", Role.FRONTDESK),
    ("pas", "PAS Demo", Role.STAFF),
    ("leder", "Leder Demo", Role.CHIEF),
    ("admin", "Admin Demo", Role.ADMIN),
]


def seed_demo_staff():
    """Create the missing demo accounts and commit; return lines to print.

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
    db.session.commit()
    return lines
