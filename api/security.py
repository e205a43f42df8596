"""Secrets: API keys and feed tokens, made from 256 random bits and kept only as SHA-256 digests.

A secret is looked up by its digest (an indexed column) and the stored digest is then
compared with :func:`hmac.compare_digest`. The secrets are uniformly random, so a plain
hash suffices: there is nothing for a slow key-derivation function to protect.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import ApiKey, Tenant, utcnow

API_KEY_PREFIX = "cpk_"
TOKEN_BYTES = 32
"""256 bits of randomness in every API key and feed token."""


def new_secret() -> str:
    """A URL-safe random string carrying :data:`TOKEN_BYTES` bytes of randomness."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """The hex SHA-256 digest under which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(stored: str, secret: str) -> bool:
    """True when ``secret`` hashes to ``stored``, compared in constant time."""
    return hmac.compare_digest(stored.encode("ascii"), digest(secret).encode("ascii"))


@dataclass(frozen=True)
class IssuedKey:
    """A newly created API key: ``secret`` is shown once and never stored."""

    id: str
    tenant: str
    prefix: str
    secret: str


class UnknownTenantError(LookupError):
    """No tenant has the given name."""


def create_tenant(session: Session, name: str) -> Tenant:
    """The tenant called ``name``, created when it does not exist yet."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
    return tenant


def issue_key(session: Session, tenant_name: str, label: str | None = None) -> IssuedKey:
    """A new API key for the tenant ``tenant_name`` (raises :class:`UnknownTenantError`)."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == tenant_name))
    if tenant is None:
        raise UnknownTenantError(tenant_name)
    secret = API_KEY_PREFIX + new_secret()
    key = ApiKey(tenant_id=tenant.id, prefix=secret[:12], key_hash=digest(secret), label=label)
    session.add(key)
    session.flush()
    return IssuedKey(id=key.id, tenant=tenant.name, prefix=key.prefix, secret=secret)


def revoke_key(session: Session, key_id_or_prefix: str) -> int:
    """Revoke the active keys whose id or shown prefix is ``key_id_or_prefix``; returns how many."""
    keys = session.scalars(
        select(ApiKey).where(
            (ApiKey.id == key_id_or_prefix) | (ApiKey.prefix == key_id_or_prefix),
            ApiKey.revoked_at.is_(None),
        )
    ).all()
    for key in keys:
        key.revoked_at = utcnow()
    return len(keys)


def tenant_for_key(session: Session, secret: str) -> Tenant | None:
    """The tenant owning the active API key ``secret``, or None."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(secret), ApiKey.revoked_at.is_(None)))
    if key is None or not same_digest(key.key_hash, secret):
        return None
    return key.tenant
