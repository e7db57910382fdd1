"""Citizen booking flow."""

from flask import Blueprint, render_template

bp = Blueprint("booking", __name__)


@bp.get("/")
def start():
    return render_template("booking/start.html")
