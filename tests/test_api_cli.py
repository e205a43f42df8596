"""The ``scheduler-api`` command: migrate, tenants and keys."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from tests.test_api_helpers import running_api, settings_for

runner = CliRunner()


def invoke(database: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--database-url", database])
    return result.exit_code, result.stdout, result.stderr


def test_keys_are_created_used_and_revoked(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    database = settings.database_url
    assert invoke(database, "migrate")[0] == 0
    assert invoke(database, "create-tenant", "acme")[0] == 0
    code, key, note = invoke(database, "create-key", "--tenant", "acme", "--label", "ops")
    assert code == 0
    key = key.strip()
    assert key.startswith("cpk_")
    assert len(key) >= 4 + 43
    assert key not in note
    with running_api(settings, key=key) as api:
        assert api.client.get("/v1/scenarios", headers=api.auth).status_code == 200
        code, out, _ = invoke(database, "revoke-key", key[:12])
        assert (code, out.strip()) == (0, "revoked 1 key(s)")
        assert api.client.get("/v1/scenarios", headers=api.auth).status_code == 401


def test_a_key_for_an_unknown_tenant_is_refused(tmp_path: Path) -> None:
    database = settings_for(tmp_path).database_url
    code, out, err = invoke(database, "create-key", "--tenant", "nobody")
    assert code == 1
    assert out == ""
    assert 'no tenant "nobody"' in err
    code, out, _ = invoke(database, "create-key", "--tenant", "nobody", "--create-tenant")
    assert code == 0
    assert out.startswith("cpk_")


def test_revoking_an_unknown_key_fails(tmp_path: Path) -> None:
    code, _, err = invoke(settings_for(tmp_path).database_url, "revoke-key", "cpk_nothing")
    assert code == 1
    assert 'no active key "cpk_nothing"' in err


def test_keys_are_stored_as_hashes(tmp_path: Path) -> None:
    database = settings_for(tmp_path).database_url
    _, key, _ = invoke(database, "create-key", "--tenant", "acme", "--create-tenant")
    raw = (tmp_path / "api.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("api.sqlite-*")
    )
    assert key.strip()[12:].encode() not in raw
