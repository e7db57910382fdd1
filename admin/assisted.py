"""Bookings made, moved and cancelled by staff on behalf of a citizen.

The booking package's services apply the same rules as online: free slot, opening
hours, lead time and booking limits. This module adds the assisted channel and the
audit entries.
"""

import logging
import secrets

from admin import audit
from booking import queries as booking_queries
from booking import services as booking_services
from booking.models import Channel

logger = logging.getLogger(__name__)

AUDITED_FIELDS = ("code", "unit_id", "start_at", "end_at", "persons", "purpose", "status",
                  "channel", "language", "cancelled_at")


def book_for_citizen(choice, purpose, details, *, now, tz, settings, actor_id):
    """Book a time with channel "assisted"; return (booking, manage token).

    Raise the booking package's BookingError subclasses like the online flow.
    """
    booking, token = booking_services.create_booking(
        choice, purpose, details, now=now, tz=tz, settings=settings, channel=Channel.ASSISTED)
    audit.record(actor_id, "booking.create", booking, None,
                 audit.snapshot(booking, AUDITED_FIELDS), now)
    return booking, token


def reschedule_for_citizen(booking, choice, *, now, tz, settings, actor_id):
    """Move the booking and return a new manage token for the confirmation e-mail.

    Only the token's hash is stored, so staff cannot resend the old link. A new one
    replaces it, and the citizen's earlier link stops working.
    """
    before = audit.snapshot(booking, AUDITED_FIELDS)
    booking_services.reschedule_booking(booking, choice, now=now, tz=tz, settings=settings)
    token = secrets.token_urlsafe(32)
    booking.manage_token_hash = booking_queries.hash_token(token)
    audit.record(actor_id, "booking.reschedule", booking, before,
                 audit.snapshot(booking, AUDITED_FIELDS), now)
    return booking, token


def cancel_for_citizen(booking, *, now, settings, actor_id, action="booking.cancel"):
    before = audit.snapshot(booking, AUDITED_FIELDS)
    booking_services.cancel_booking(booking, now=now, settings=settings)
    audit.record(actor_id, action, booking, before, audit.snapshot(booking, AUDITED_FIELDS), now)
    return booking
