"""``/docs`` and ``/redoc`` with their scripts served by the app (no CDN), and the npm assets.

The assets are the files of the npm packages pinned in ``package.json`` (installed by
``npm ci`` in ``scripts/setup.sh``): htmx for the pages, swagger-ui-dist and redoc for the
API's documentation. Only those packages' distribution folders are served.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

SERVED = ("htmx.org/dist/", "swagger-ui-dist/", "redoc/bundles/")
HTMX = "/assets/npm/htmx.org/dist/htmx.min.js"

router = APIRouter(include_in_schema=False)


class NpmAssets(StaticFiles):
    """Static files from ``node_modules``, limited to the distribution folders in :data:`SERVED`."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, check_dir=False)

    async def get_response(self, path: str, scope: Scope) -> Response:
        """404 outside :data:`SERVED`; the file otherwise, cached for a day."""
        if not path.startswith(SERVED) or ".." in path:
            return Response("not found\n", status_code=404, media_type="text/plain")
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on the app's own copy of swagger-ui-dist."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        swagger_js_url="/assets/npm/swagger-ui-dist/swagger-ui-bundle.js",
        swagger_css_url="/assets/npm/swagger-ui-dist/swagger-ui.css",
        swagger_favicon_url="/assets/npm/swagger-ui-dist/favicon-32x32.png",
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc on the app's own copy of redoc's standalone bundle, without web fonts."""
    return get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        redoc_js_url="/assets/npm/redoc/bundles/redoc.standalone.js",
        redoc_favicon_url="/assets/npm/swagger-ui-dist/favicon-32x32.png",
        with_google_fonts=False,
    )
