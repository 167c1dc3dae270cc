"""WSGI entry point: `gunicorn wsgi:app`."""

from assessment import create_app

app = create_app()
