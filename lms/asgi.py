"""The ASGI entry point for uvicorn workers: ``uvicorn lms.asgi:app``."""

from lms.app import create_app

app = create_app()
