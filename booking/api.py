"""Public JSON API: free times."""

from flask import Blueprint

bp = Blueprint("booking_api", __name__, url_prefix="/api/v1")
