"""Logging: feed tokens are secrets, so every path under ``/feeds/`` is redacted in the access log."""

from __future__ import annotations

import logging
import re
from typing import Any

FEED_PATH = re.compile(r"(?:^|(?<=[\s\"']))/feeds/[^\s\"']*")
"""A public feed path (not ``/v1/feeds/...``) with its token and anything after it."""
REDACTED = "/feeds/<redacted>"


def redact(text: str) -> str:
    """``text`` with the token of every feed path replaced by ``<redacted>``."""
    return FEED_PATH.sub(REDACTED, text)


class RedactFeedTokens(logging.Filter):
    """A filter that removes feed tokens from a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the redaction filter on its access and error logs."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_feed_tokens": {"()": RedactFeedTokens}},
        "formatters": {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(asctime)s %(levelprefix)s %(message)s",
                "use_colors": None,
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(asctime)s %(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        },
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["redact_feed_tokens"],
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["redact_feed_tokens"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "api": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }
