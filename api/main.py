"""The FastAPI application: routers, error handlers, the body limit, and the lifespan that
migrates the database, recovers jobs and starts the solve workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import text

from api import web
from api.db import Database
from api.deps import ReadSessionDep
from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.migrate import upgrade
from api.routes import feeds, jobs, picture, scenarios, schedules
from api.runner import JobRunner, SolveFunction
from api.settings import Settings
from scheduler.contract.scenario import ScenarioDoc

DESCRIPTION = """\
Lay out all of a family's therapy and clinic appointments as one rationalised weekly
pattern, and publish it as calendar feeds.

Coordinators authenticate with `Authorization: Bearer <API key>`; a key belongs to one
organisation, which sees only its own scenarios, jobs, schedules and feeds. Calendar feeds
(`/feeds/{token}.ics`) need no key: the token in the URL is the capability.
"""


def create_app(settings: Settings | None = None, *, solve: SolveFunction | None = None) -> FastAPI:
    """The service for ``settings`` (read from the environment when None).

    ``solve`` replaces the engine's solver (the default) for the job workers.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        upgrade(database.engine)
        runner = JobRunner(settings, database.sessions, solve)
        app.state.settings, app.state.database, app.state.runner = settings, database, runner
        runner.start()
        try:
            yield
        finally:
            runner.shutdown()
            database.dispose()

    app = FastAPI(
        title="carepattern",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    for router in (scenarios.router, jobs.router, schedules.router, feeds.router, feeds.public_router):
        app.include_router(router)
    app.include_router(picture.router)
    app.add_api_route("/healthz", _health, tags=["service"], summary="Health")
    install_error_handlers(app)
    web.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _health(session: ReadSessionDep) -> dict[str, str]:
    """``{"status": "ok"}`` when the database answers."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the contract's ScenarioDoc, which the scenario routes take as their body."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        scenario_schema = ScenarioDoc.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in scenario_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components["ScenarioDoc"] = scenario_schema
        app.openapi_schema = schema
    return app.openapi_schema
