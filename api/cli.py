"""The ``scheduler-api`` command: serve the API, migrate its database, manage tenants and keys.

Settings come from the environment (``CAREPATTERN_DATABASE_URL`` and the others of
:class:`api.settings.Settings`); the options below override the ones named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from sqlalchemy import Engine, select

from api.db import make_engine, make_session_factory
from api.logs import uvicorn_log_config
from api.main import create_app
from api.migrate import upgrade
from api.models import Scenario
from api.security import UnknownTenantError, create_tenant, issue_key, revoke_key
from api.settings import Settings
from scheduler.errors import InputError
from scheduler.loader import load_scenario

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "household.json"
DEMO_TENANT = "demo"

app = typer.Typer(
    help="The carepattern HTTP service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="Overrides CAREPATTERN_DATABASE_URL.", show_default=False)
]


def _settings(database_url: str | None = None, **overrides: object) -> Settings:
    settings = Settings()
    update = {k: v for k, v in {"database_url": database_url, **overrides}.items() if v is not None}
    return settings.model_copy(update=update)


def _migrated_engine(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


@app.command()
def migrate(database_url: DatabaseOption = None) -> None:
    """Bring the database schema up to date (serve does this too)."""
    settings = _settings(database_url)
    _migrated_engine(settings).dispose()
    out.print("database is up to date")


@app.command("create-tenant")
def create_tenant_command(
    name: Annotated[str, typer.Argument(help="The organisation's name.")], database_url: DatabaseOption = None
) -> None:
    """Create a tenant (an organisation); does nothing if it exists."""
    engine = _migrated_engine(_settings(database_url))
    with make_session_factory(engine).begin() as session:
        tenant = create_tenant(session, name)
        out.print(f"tenant {tenant.name} ({tenant.id})")
    engine.dispose()


@app.command("create-key")
def create_key_command(
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant's name.")],
    label: Annotated[str | None, typer.Option(help="A note on who holds the key.")] = None,
    create: Annotated[bool, typer.Option("--create-tenant", help="Create the tenant if needed.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Issue an API key for a tenant and print it (it is shown only this once)."""
    engine = _migrated_engine(_settings(database_url))
    try:
        with make_session_factory(engine).begin() as session:
            if create:
                create_tenant(session, tenant)
            key = issue_key(session, tenant, label)
    except UnknownTenantError:
        err.print(f'no tenant "{tenant}"; create it with: scheduler-api create-tenant "{tenant}"')
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    err.print(f"API key {key.id} for tenant {key.tenant} (shown once; revoke with revoke-key {key.prefix}):")
    out.print(key.secret)


@app.command("revoke-key")
def revoke_key_command(
    key: Annotated[str, typer.Argument(help="The key's id or its shown prefix (cpk_xxxxxxxx).")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke an API key: requests with it answer 401 from now on."""
    engine = _migrated_engine(_settings(database_url))
    with make_session_factory(engine).begin() as session:
        count = revoke_key(session, key)
    engine.dispose()
    if not count:
        err.print(f'no active key "{key}"')
        raise typer.Exit(1)
    out.print(f"revoked {count} key(s)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Load the example for a demo tenant and print a key.")] = False,
    example: Annotated[Path, typer.Option(help="The scenario --demo loads.")] = EXAMPLE,
    database_url: DatabaseOption = None,
) -> None:
    """Migrate the database and serve the API (feed tokens are redacted from the access log)."""
    settings = _settings(database_url)
    if "public_base_url" not in Settings().model_fields_set:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings = settings.model_copy(update={"public_base_url": f"http://{shown}:{port}"})
    engine = _migrated_engine(settings)
    if demo:
        _prepare_demo(engine, settings, example)
    engine.dispose()
    uvicorn.run(create_app(settings), host=host, port=port, log_config=uvicorn_log_config())


def _prepare_demo(engine: Engine, settings: Settings, example: Path) -> None:
    """Create the demo tenant, load ``example`` once, issue a key, and print how to use them."""
    try:
        document = json.loads(example.read_text(encoding="utf-8"))
        load_scenario(document)
    except (OSError, ValueError, InputError) as exc:
        err.print(f"cannot load the example {example}: {exc}")
        raise typer.Exit(2) from None
    with make_session_factory(engine).begin() as session:
        tenant = create_tenant(session, DEMO_TENANT)
        scenario = session.scalar(
            select(Scenario).where(Scenario.tenant_id == tenant.id).order_by(Scenario.created_at)
        )
        if scenario is None:
            name = document.get("name") if isinstance(document.get("name"), str) else None
            scenario = Scenario(tenant_id=tenant.id, name=name, document=document)
            session.add(scenario)
            session.flush()
        key = issue_key(session, DEMO_TENANT, "demo start-up")
        scenario_id = scenario.id
    base = settings.public_base_url.rstrip("/")
    out.print(f"demo tenant: {DEMO_TENANT}; example scenario {scenario_id} from {example.name}")
    out.print(f"demo API key: {key.secret}")
    out.print("try:")
    out.print(
        f'  curl -s -X POST -H "Authorization: Bearer {key.secret}" {base}/v1/scenarios/{scenario_id}/solve'
    )
    out.print(f"  pages: {base}/ (sign in with the demo API key)")
    out.print(f"  docs: {base}/docs")


def main() -> None:
    """Entry point of the ``scheduler-api`` console script."""
    app()
