"""Structured logs: one JSON object per line with the request id, for a log shipper.

python-json-logger formats the records; a filter adds ``request_id`` from the context. WeasyPrint
logs about seven INFO lines per PDF and fontTools its subsetting steps: both are held at WARNING
whatever the format, or a batch of 1,000 certificates floods the log.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from lms.observability.request_id import current_request_id

NOISY = ("weasyprint", "weasyprint.progress", "fontTools", "fontTools.subset", "fontTools.ttLib")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (empty outside a request) so every formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def quiet_noisy_loggers() -> None:
    """WeasyPrint and fontTools at WARNING (called by the app factory, so always in force)."""
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def logging_config(fmt: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server: root, uvicorn and its access log.

    Args:
        fmt: ``json`` (one object per line) or ``text`` (for a person at a terminal).
        level: the root level.
    """
    fields = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": fields,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            **{name: {"level": "WARNING"} for name in NOISY},
        },
    }


def configure_logging(fmt: str = "json", level: str = "INFO") -> None:
    """Apply ``logging_config`` to this process."""
    logging.config.dictConfig(logging_config(fmt, level))
