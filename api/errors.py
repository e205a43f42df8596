"""Error answers: located 422s from the engine's contract and FastAPI's own checks, and no 500 trace."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.logs import redact
from api.responses import SafeJSONResponse
from api.schemas import ErrorItem
from scheduler.contract.errors import format_location
from scheduler.errors import InputError

log = logging.getLogger("api")

HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
BUSY_RETRY_AFTER_S = 1
BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
"""PostgreSQL's lock not available, serialization failure and deadlock detected."""


def located(location: str, message: str) -> dict[str, str]:
    """One item of a 422 body."""
    return ErrorItem(loc=location, msg=message).model_dump()


def input_error_response(_request: Request, exc: InputError) -> SafeJSONResponse:
    """422 listing every problem of a scenario or schedule document with its location."""
    return SafeJSONResponse({"detail": [located(i.location, i.message) for i in exc.issues]}, status_code=422)


def request_validation_response(_request: Request, exc: RequestValidationError) -> SafeJSONResponse:
    """422 for a bad path, query, header or options body, in the same shape as the contract's errors."""
    items = [located(_where(error["loc"]), _first_lower(error["msg"])) for error in exc.errors()]
    return SafeJSONResponse({"detail": items}, status_code=422)


def http_error_response(request: Request, exc: StarletteHTTPException) -> SafeJSONResponse:
    """FastAPI's and Starlette's HTTP errors as ``{"detail": ...}`` with their headers.

    A 405's ``Allow`` lists the methods of every route at the path (Starlette names only
    the first route's).
    """
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return SafeJSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers or None)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app fully matches at the request's path, sorted."""
    allowed = []
    for method in HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
            allowed.append(method)
    return allowed


def database_error_response(request: Request, exc: DBAPIError) -> SafeJSONResponse:
    """503 with ``Retry-After`` when the database is busy (locked), else the 500 of any other failure."""
    if not is_busy(exc):
        return unexpected_error_response(request, exc)
    log.warning("database busy on %s %s: %s", request.method, redact(request.url.path), exc.orig)
    return SafeJSONResponse(
        {"detail": "the database is busy; retry in a moment"},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
    )


def is_busy(exc: DBAPIError) -> bool:
    """True for a failure that passes when tried again: a lock, or a conflict between transactions."""
    if getattr(exc.orig, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def unexpected_error_response(request: Request, exc: Exception) -> SafeJSONResponse:
    """500 without a trace in the body; the trace goes to the log."""
    log.error("unexpected error on %s %s", request.method, redact(request.url.path), exc_info=exc)
    return SafeJSONResponse({"detail": "internal error; it has been logged"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler above on ``app``."""
    app.exception_handler(InputError)(input_error_response)
    app.exception_handler(RequestValidationError)(request_validation_response)
    app.exception_handler(StarletteHTTPException)(http_error_response)
    app.exception_handler(DBAPIError)(database_error_response)
    app.exception_handler(Exception)(unexpected_error_response)


def _where(loc: Sequence[Any]) -> str:
    """``("query", "limit")`` -> ``query.limit``; a body options path keeps the contract's style."""
    return format_location([part if isinstance(part, int) else str(part) for part in loc])


def _first_lower(message: str) -> str:
    return message[:1].lower() + message[1:]
