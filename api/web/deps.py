"""What the pages share: settings, templates, the signed-in coordinator, CSRF checks, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.deps import ReadSessionDep
from api.routes.common import RowT, owned
from api.web.forms import FormData
from api.web.session import CSRF_FIELD, CSRF_HEADER, WebUser, current_user, same_token

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
REPO_DIR = WEB_DIR.parent.parent

templates = Jinja2Templates(directory=WEB_DIR / "templates")

T = TypeVar("T")
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""Headers of every page: not cached, no script or frame from elsewhere, no referrer outside."""
MAX_FIELDS = 100_000
"""Inputs a posted form may have: the editor of a town of 20 households has about 20 000
(the body size limit bounds a form anyway)."""


class WebSettings(BaseSettings):
    """The web app's settings; each is ``CAREPATTERN_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CAREPATTERN_", env_file=".env", extra="ignore")

    session_secret: str = Field(
        "", description="Signs session cookies; empty: a random secret per start (sign in again after it)."
    )
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure even when the request arrives over plain HTTP (behind TLS)."
    )
    node_modules: Path = Field(
        REPO_DIR / "node_modules", description="Where `npm ci` put htmx, swagger-ui-dist and redoc."
    )


class PageError(Exception):
    """An error shown as a page (or an htmx fragment) with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInRequiredError(PageError):
    """No valid session: go to the sign-in page."""

    def __init__(self) -> None:
        super().__init__(401, "sign in first")


def page_error_response(request: Request, exc: Exception) -> Response:
    """The page of a :class:`PageError`; a redirect to sign-in for :class:`SignInRequiredError`."""
    assert isinstance(exc, PageError)
    if isinstance(exc, SignInRequiredError):
        target = "/signin?next=" + request.url.path
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": exc.status, "message": exc.message, "user": None},
        status_code=exc.status,
    )


def require_user(request: Request, session: ReadSessionDep) -> WebUser:
    """The signed-in coordinator; :class:`SignInRequiredError` otherwise."""
    user = current_user(request, session)
    if user is None:
        raise SignInRequiredError
    return user


UserDep = Annotated[WebUser, Depends(require_user)]


async def posted_form(request: Request, user: UserDep) -> FormData:
    """The posted form after checking its CSRF token (field or htmx header); 403 otherwise."""
    form = await request.form(max_files=1, max_fields=MAX_FIELDS)
    data = FormData((name, value) for name, value in form.multi_items() if isinstance(value, str))
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data.files[name] = (value.filename or "", await value.read())
    token = data.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not same_token(user.csrf, token):
        raise PageError(
            403, "this form has expired or did not come from this site; reload the page and try again"
        )
    return data


FormDep = Annotated[FormData, Depends(posted_form)]
CSRF_CHECKED = Depends(posted_form)
"""For ``dependencies=[...]`` of a route that posts a form but reads none of it."""


def mine(session: Session, model: type[RowT], row_id: str, user: WebUser, noun: str) -> RowT:
    """The API's tenant-scoped lookup: another tenant's id is a 404 page, as in the API."""
    row: RowT = api_call(owned, session, model, row_id, user.tenant, noun)
    return row


def api_call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call one of the API's route functions; its HTTP errors become pages with the same status."""
    try:
        return function(*args, **kwargs)
    except HTTPException as exc:
        detail: Any = exc.detail
        if isinstance(detail, list):
            detail = "; ".join(f"{item['loc']}: {item['msg']}" for item in detail)
        raise PageError(exc.status_code, str(detail)) from None


def render(
    request: Request, template: str, context: dict[str, Any], user: WebUser | None, status: int = 200
) -> HTMLResponse:
    """A page of ``template`` with the coordinator and the CSRF token in its context."""
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {**context, "user": user, "csrf_field": CSRF_FIELD}, status_code=status
    )
    response.headers.update(PAGE_HEADERS)
    return response
