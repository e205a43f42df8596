"""The coordinators' web app: server-rendered pages (Jinja2 templates, htmx) on the API's own
tenants, keys, rows and checks.

:func:`install` adds the pages, their static files, the vendored npm assets and the offline
``/docs`` and ``/redoc`` to the FastAPI app. The pages call the API's route functions, so a
page sees exactly what the tenant's API key sees (another tenant's ids answer 404).
"""

from api.web.app import install

__all__ = ["install"]
