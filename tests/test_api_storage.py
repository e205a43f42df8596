"""Storage: migrations equal the models, SQLite settings, transactions, restarts, and PostgreSQL."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from api import publishing
from api.db import Database, make_engine
from api.migrate import upgrade
from api.models import Base, Feed
from api.settings import Settings
from tests.test_api_helpers import (
    create_scenario,
    feed_path,
    keep_current,
    published,
    running_api,
    settings_for,
    solved,
    tiny,
)

POSTGRES_ROOT = Path("/usr/lib/postgresql")


def assert_schema_matches_models(url: str) -> None:
    """Migrate a database at ``url`` and compare it with the models."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_migrations_create_the_schema_of_the_models(tmp_path: Path) -> None:
    assert_schema_matches_models(f"sqlite:///{tmp_path / 'm.sqlite'}")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'var' / 'p.sqlite'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    with database.reader.connect() as connection:
        assert connection.execute(text("PRAGMA query_only")).scalar() == 1
    database.dispose()


def test_a_failed_publish_writes_nothing_and_hides_the_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_api(settings_for(tmp_path), solve=keep_current) as api:
        schedule_id = solved(api, create_scenario(api))["schedule_id"]
        monkeypatch.setattr(publishing, "_store", failing_after(2, publishing._store))
        client = TestClient(api.client.app, raise_server_exceptions=False)
        response = client.post(f"/v1/schedules/{schedule_id}/publish", headers=api.auth)
        assert response.status_code == 500
        assert response.json() == {"detail": "internal error; it has been logged"}
        assert api.client.get("/v1/feeds", headers=api.auth).json()["total"] == 0
        schedule = api.client.get(f"/v1/schedules/{schedule_id}", headers=api.auth).json()
        assert schedule["published_at"] is None


def failing_after(calls: int, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` that raises on its call number ``calls + 1``."""
    count = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count > calls:
            raise RuntimeError("disk on fire")
        return function(*args, **kwargs)

    return wrapper


def core_flow_survives_a_restart(settings: Settings) -> None:
    """Submit, solve, publish and fetch; then restart on the same database and find it all again."""
    with running_api(settings) as api:
        scenario_id = create_scenario(api)
        job = solved(api, scenario_id)
        urls = {f["key"]: f["url"] for f in published(api, job["schedule_id"])["feeds"]}
        feed = api.client.get(feed_path(urls["household-a"]))
        assert feed.status_code == 200
        other = {"Authorization": f"Bearer {api.new_key('globex')}"}
        assert api.client.get(f"/v1/scenarios/{scenario_id}", headers=other).status_code == 404
        key = api.key
    with running_api(settings, key=key) as api:
        assert api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).status_code == 200
        assert api.client.get(f"/v1/jobs/{job['id']}", headers=api.auth).json()["status"] == "done"
        assert api.client.get(f"/v1/schedules/{job['schedule_id']}", headers=api.auth).status_code == 200
        again = api.client.get(feed_path(urls["household-a"]))
        assert again.content == feed.content
        assert (
            api.client.get(
                feed_path(urls["household-a"]), headers={"if-none-match": feed.headers["etag"]}
            ).status_code
            == 304
        )


def test_a_restart_loses_nothing(tmp_path: Path) -> None:
    core_flow_survives_a_restart(settings_for(tmp_path))


def _postgres_bin() -> Path | None:
    found = sorted(POSTGRES_ROOT.glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def unavailable(reason: str) -> NoReturn:
    """Skip the PostgreSQL tests on a developer's machine; fail them in CI (``CI`` set), which must run them.

    ``scripts/test.sh`` installs the server when it is missing.
    """
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL server on a loopback port; yields the URL of its postgres database."""
    bindir = _postgres_bin()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (add psycopg[binary] to the dev extras)")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="carepattern-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no postgres user to run the server as")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    run = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "carepattern", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run, "-o", options, "-l", str(root / "log"), "-w", "start"], check=True, capture_output=True
    )
    try:
        yield f"postgresql+psycopg://carepattern@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres: str) -> str:
    """A fresh database on the throw-away server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres.rsplit("/", 1)[0] + f"/{name}"


def test_postgres_migrations_match_the_models(postgres_url: str) -> None:
    assert_schema_matches_models(postgres_url)


def test_postgres_core_flow_and_restart(tmp_path: Path, postgres_url: str) -> None:
    core_flow_survives_a_restart(settings_for(tmp_path, database_url=postgres_url))


def test_postgres_feeds_survive_in_bytes(tmp_path: Path, postgres_url: str) -> None:
    with running_api(settings_for(tmp_path, database_url=postgres_url), solve=keep_current) as api:
        urls = {
            f["key"]: f["url"]
            for f in published(api, solved(api, create_scenario(api))["schedule_id"])["feeds"]
        }
        body = api.client.get(feed_path(urls["client-ava"])).content
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        stored = connection.scalars(select(Feed.content).where(Feed.key == "client-ava")).one()
        assert connection.scalar(select(func.count()).select_from(Feed)) == len(urls)
    engine.dispose()
    assert stored == body


def test_postgres_tests_fail_rather_than_skip_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the PostgreSQL tests: no server"):
        unavailable("no server")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        unavailable("no server")


def test_postgres_stores_a_long_name_and_any_text(tmp_path: Path, postgres_url: str) -> None:
    name = "Ava's week 😀 " * 80
    with running_api(settings_for(tmp_path, database_url=postgres_url), solve=keep_current) as api:
        created = api.client.post("/v1/scenarios", json=tiny(name=name), headers=api.auth)
        if created.status_code == 422:
            assert created.json()["detail"][0]["loc"] == "name"
            created = api.client.post("/v1/scenarios", json=tiny(name=name[:200]), headers=api.auth)
            name = name[:200]
        assert created.status_code == 201, created.text
        scenario_id = created.json()["id"]
        scenario = api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).json()
        assert scenario["document"]["name"] == name
        assert scenario["name"] == name[:500]
        solve = f"/v1/scenarios/{scenario_id}/solve"
        seeded = api.client.post(solve, json={"seed": 2**31 - 1}, headers=api.auth)
        assert seeded.status_code == 202
