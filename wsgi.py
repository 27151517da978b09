"""WSGI entry point: `gunicorn wsgi:app`."""
from scm.app import create_app

app = create_app()
