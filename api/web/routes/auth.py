"""Signing in with an organisation's API key, and out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ReadSessionDep
from api.web.deps import CSRF_CHECKED, render
from api.web.session import (
    MAX_AGE_S,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    clear_cookie,
    current_user,
    same_token,
    set_cookie,
    sign_in,
    signer,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/scenarios"


@router.get("/")
def home(request: Request, session: ReadSessionDep) -> RedirectResponse:
    """The scenarios when signed in, the sign-in page otherwise."""
    return RedirectResponse("/scenarios" if current_user(request, session) else "/signin", status_code=303)


def _signin_page(request: Request, next_path: str, error: str | None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "signin.html", {"next": next_path, "signin_token": token, "error": error}, None, status
    )
    set_cookie(request, response, SIGNIN_COOKIE, token, max_age=3600)
    return response


@router.get("/signin")
def signin_page(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form (with a fresh double-submit CSRF token)."""
    return _signin_page(request, _safe_next(next), None)


@router.post("/signin")
def signin(
    request: Request,
    session: ReadSessionDep,
    api_key: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/scenarios",
) -> Response:
    """Start a session for the organisation of a valid, active API key."""
    if not same_token(request.cookies.get(SIGNIN_COOKIE, ""), csrf_token) or not csrf_token:
        return _signin_page(request, _safe_next(next), "The form expired; please try again.", 403)
    key = sign_in(session, api_key) if api_key.strip() else None
    if key is None:
        message = (
            "Enter your organisation's API key."
            if not api_key.strip()
            else ("That API key is not valid or has been revoked.")
        )
        return _signin_page(request, _safe_next(next), message, 401 if api_key.strip() else 422)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, signer(request).session_value(key.id), max_age=MAX_AGE_S)
    clear_cookie(request, response, SIGNIN_COOKIE)
    return response


@router.post("/signout", dependencies=[CSRF_CHECKED])
def signout(request: Request) -> RedirectResponse:
    """End the session: the cookie is removed."""
    signer(request).end(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/signin", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response
