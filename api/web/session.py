"""Signing in with an API key: a signed, HttpOnly session cookie and a CSRF token bound to it.

The cookie holds the API key's row id (never the key), when it was issued and a random
nonce, signed with HMAC-SHA256 under the app's session secret. Every request checks the
signature, the age and that the key is still active, so revoking a key ends its sessions.
The CSRF token is an HMAC of the nonce: every form and htmx request must send it back.
Before sign-in, the sign-in form uses a double-submit cookie instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import ApiKey, Tenant
from api.security import digest, same_digest

SESSION_COOKIE = "cp_session"
SIGNIN_COOKIE = "cp_signin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_AGE_S = 8 * 3600


@dataclass(frozen=True)
class WebUser:
    """A signed-in coordinator: the tenant, the API key row that signed in, and the CSRF token."""

    tenant: Tenant
    key_id: str
    key_prefix: str
    csrf: str


class Signer:
    """Signs and checks session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")
        self._ended: set[str] = set()

    def end(self, value: str) -> None:
        """Refuse a session cookie from now on (signing out), even if a copy of it survives."""
        found = self.read(value)
        if found is not None:
            self._ended.add(found[1])

    def _mac(self, text: str) -> str:
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def session_value(self, key_id: str, now: float | None = None) -> str:
        """A new cookie value for the API key row ``key_id``."""
        body = f"{key_id}.{int(now if now is not None else time.time())}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._mac(body)}"

    def read(self, value: str, now: float | None = None) -> tuple[str, str] | None:
        """``(key_id, nonce)`` of a genuine, unexpired cookie value; None otherwise."""
        parts = value.split(".")
        if len(parts) != 4:
            return None
        key_id, issued, nonce, mac = parts
        if not hmac.compare_digest(mac, self._mac(f"{key_id}.{issued}.{nonce}")):
            return None
        try:
            age = (now if now is not None else time.time()) - int(issued)
        except ValueError:
            return None
        if not 0 <= age <= MAX_AGE_S or nonce in self._ended:
            return None
        return key_id, nonce

    def csrf_for(self, nonce: str) -> str:
        """The CSRF token of the session with ``nonce``."""
        return self._mac(f"csrf.{nonce}")


def signer(request: Request) -> Signer:
    """The app's signer."""
    value: Signer = request.app.state.web_signer
    return value


def current_user(request: Request, session: Session) -> WebUser | None:
    """The coordinator whose valid session cookie the request carries, or None."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    sign = signer(request)
    found = sign.read(value)
    if found is None:
        return None
    key_id, nonce = found
    key = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)))
    if key is None:
        return None
    return WebUser(tenant=key.tenant, key_id=key.id, key_prefix=key.prefix, csrf=sign.csrf_for(nonce))


def sign_in(session: Session, secret: str) -> ApiKey | None:
    """The active API key row of ``secret``, or None."""
    secret = secret.strip()
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(secret), ApiKey.revoked_at.is_(None)))
    if key is None or not same_digest(key.key_hash, secret):
        return None
    return key


def secure_cookies(request: Request) -> bool:
    """True when cookies must be ``Secure``: served over TLS, or the setting says so."""
    forced: bool = request.app.state.web_settings.secure_cookies
    return forced or request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """Set a cookie HttpOnly, SameSite=Lax, path /, and Secure over TLS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=secure_cookies(request),
        samesite="lax",
        path="/",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Remove a cookie set by :func:`set_cookie`."""
    response.delete_cookie(name, path="/", httponly=True, secure=secure_cookies(request), samesite="lax")


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return given is not None and hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
