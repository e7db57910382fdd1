"""WSGI entry point for gunicorn and `flask --app wsgi`."""

from pastid import create_app

app = create_app()
