"""WSGI entry point: `gunicorn wsgi:app`."""

from assessment.app import create_app

app = create_app()
