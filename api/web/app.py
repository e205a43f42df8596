"""Wiring the web app into the FastAPI app: routers, templates' static files, npm assets, errors."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import docs
from api.web.deps import STATIC_DIR, PageError, WebSettings, page_error_response
from api.web.fetches import FetchLog, FetchWatcher
from api.web.routes import auth, feeds, jobs, scenarios, schedules
from api.web.session import Signer


def install(app: FastAPI, settings: WebSettings | None = None) -> None:
    """Add the coordinators' pages, their assets and the offline API documentation to ``app``."""
    settings = settings or WebSettings()
    app.state.web_settings = settings
    app.state.web_signer = Signer(settings.session_secret or secrets.token_urlsafe(32))
    for router in (auth.router, scenarios.router, jobs.router, schedules.router, feeds.router, docs.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/assets/npm", docs.NpmAssets(settings.node_modules), name="npm")
    app.exception_handler(PageError)(page_error_response)
    app.state.web_fetches = FetchLog()
    app.add_middleware(FetchWatcher, log=app.state.web_fetches)
