"""Logging: secrets never reach the log, so paths and query strings are redacted.

Feed tokens are capabilities and API keys are credentials. The access log shows every
request's path and query, however written (``//feeds/T.ics``, ``/v1/../feeds/T.ics``,
``http://host/feeds/T.ics``, ``?api_key=...``), so :func:`redact` removes anything that
is or looks like one: what follows a public ``feeds/`` segment, an API key, the value of a
query parameter named like a secret, and any long run of token characters that is not a
UUID (the service's own ids stay readable).
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "<redacted>"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
FEED_TOKEN = re.compile(r"(?i)(?<!v1/)(feeds(?:/|%2f))[^\s\"'?#]+")
"""What follows ``feeds/`` in a public feed path (not ``/v1/feeds/{id}``): the token."""
API_KEY = re.compile(r"cpk_[^\s\"'&#/]*")
SECRET_PARAMETER = re.compile(
    r"(?i)([?&;][^=&;\s\"'#]*(?:key|token|secret|passw|auth|sig|session|credential)[^=&;\s\"'#]*=)[^&;\s\"'#]*"
)
"""The value of a query parameter named like a secret (``api_key=``, ``token=``, ``password=``)."""
TOKEN_SHAPED = re.compile(r"[A-Za-z0-9_-]{32,}")
"""A run of URL-safe characters long enough to be a secret (feed tokens and keys have 43 and more)."""
SERVICE_ID = re.compile(UUID)


def redact(text: str) -> str:
    """``text`` with every feed token, API key and other token-shaped secret replaced by ``<redacted>``."""
    text = FEED_TOKEN.sub(rf"\1{REDACTED}", text)
    text = API_KEY.sub(f"cpk_{REDACTED}", text)
    text = SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    return TOKEN_SHAPED.sub(_unless_an_id, text)


def _unless_an_id(found: re.Match[str]) -> str:
    return found.group() if SERVICE_ID.fullmatch(found.group()) else REDACTED


class RedactFeedTokens(logging.Filter):
    """A filter that removes secrets (see :func:`redact`) from a record's message and arguments."""

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
