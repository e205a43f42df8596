"""What the routers share: the documented error answers and the tenant-scoped lookup."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.models import Tenant
from api.schemas import Problem, ValidationProblem


class Owned(Protocol):
    """A row that belongs to a tenant."""

    @property
    def tenant_id(self) -> str:
        """The owning tenant's id."""
        ...


RowT = TypeVar("RowT", bound=Owned)

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No API key, or one that is not valid."}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such resource in your organisation."}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationProblem, "description": "Every problem with the request, each located."}
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "description": "The request body is larger than the server accepts."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "The resource is not in a state that allows this."}
}

BUSY: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "The database is busy; retry after the Retry-After seconds."}
}


def owned(session: Session, model: type[RowT], row_id: str, tenant: Tenant, noun: str) -> RowT:
    """The ``model`` row with ``row_id`` if it belongs to ``tenant``; 404 otherwise (never 403)."""
    row = session.get(model, row_id)
    if row is None or row.tenant_id != tenant.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f'no {noun} "{row_id}"')
    return row
