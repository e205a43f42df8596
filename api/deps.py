"""The dependencies every route is built from: settings, a database session, the caller's tenant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.models import Tenant
from api.runner import JobRunner
from api.security import tenant_for_key
from api.settings import Settings
from api.static_feeds import FeedFiles
from scheduler.contract.errors import parse_json
from scheduler.errors import InputIssue, ScenarioError
from scheduler.loader import load_scenario

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key of your organisation: `Authorization: Bearer cpk_...`.",
)


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request, closed (uncommitted work rolled back) when the route returns."""
    with request.app.state.database.sessions() as session:
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only session that does not hold SQLite's write lock (for reads only)."""
    with request.app.state.database.read_sessions() as session:
        yield session


def get_runner(request: Request) -> JobRunner:
    """The app's pool of solve workers."""
    runner: JobRunner = request.app.state.runner
    return runner


def get_feed_files(request: Request) -> FeedFiles | None:
    """The folder of static feed files, when the ``feed_files_dir`` setting names one."""
    folder = get_settings(request).feed_files_dir
    return None if folder is None else FeedFiles(folder)


SettingsDep = Annotated[Settings, Depends(get_settings)]
FeedFilesDep = Annotated[FeedFiles | None, Depends(get_feed_files)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def unauthorized(detail: str, error: str | None = None) -> HTTPException:
    """401 with the ``WWW-Authenticate`` challenge of RFC 6750."""
    challenge = 'Bearer realm="carepattern"' + (f', error="{error}"' if error else "")
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": challenge})


def get_tenant(
    session: ReadSessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Tenant:
    """The tenant whose active API key the request carries; 401 otherwise."""
    if credentials is None:
        raise unauthorized("an API key is required: send Authorization: Bearer <key>")
    tenant = tenant_for_key(session, credentials.credentials)
    if tenant is None:
        raise unauthorized("the API key is not valid or has been revoked", error="invalid_token")
    return tenant


TenantDep = Annotated[Tenant, Depends(get_tenant)]


JSON_TYPES: dict[type, str] = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
}


async def raw_body(request: Request) -> bytes:
    """The request body's bytes."""
    return await request.body()


def scenario_document(body: Annotated[bytes, Depends(raw_body)]) -> dict[str, Any]:
    """The body as a scenario document, checked whole by the engine's contract.

    Raises :class:`ScenarioError` (answered with 422 and every located problem) otherwise.
    The document is kept as the coordinator wrote it.
    """
    data = parse_json(body, ScenarioError)
    if not isinstance(data, dict):
        raise ScenarioError(
            [InputIssue("", f"expected a JSON object, got {JSON_TYPES.get(type(data), 'a value')}")]
        )
    load_scenario(data)
    return data


ScenarioBody = Annotated[dict[str, Any], Depends(scenario_document)]


def page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> tuple[int, int]:
    """``(limit, offset)`` of a paged list."""
    return limit, offset


PageDep = Annotated[tuple[int, int], Depends(page_params)]
