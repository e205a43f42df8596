"""The service's settings, read from the environment (prefix ``CAREPATTERN_``) or a ``.env`` file."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/carepattern.sqlite"


class Settings(BaseSettings):
    """Everything an operator may set; each field is ``CAREPATTERN_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CAREPATTERN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path.sqlite or postgresql+psycopg://user@host/db.",
    )
    workers: int = Field(2, ge=1, le=64, description="Solves that may run at the same time.")
    solver_threads: int = Field(
        0, ge=0, le=64, description="CP-SAT threads per solve; 0: the machine's cores shared among workers."
    )
    max_time_limit_s: float = Field(60.0, gt=0, le=3600, description="Cap on any one solve's time limit.")
    max_queued_jobs: int = Field(
        500, ge=1, description="Jobs a tenant may have queued or running; more are refused with 429."
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="Scheme, host and port that feed links are built on."
    )
    max_body_bytes: int = Field(2_000_000, ge=1024, description="Larger request bodies are refused with 413.")
    progress_interval_s: float = Field(
        0.5, gt=0, le=60, description="How often a running job's progress is saved and streamed."
    )
    feed_files_dir: Path | None = Field(
        None,
        description=(
            "Also write each feed as <folder>/<token>.ics for a reverse proxy to serve (docs/deploy.md), "
            "e.g. ./var/feeds; unset or empty: off, the app alone serves feeds."
        ),
    )

    @field_validator("feed_files_dir", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        """An empty value switches static feed files off rather than naming the current folder."""
        return None if isinstance(value, str) and not value.strip() else value

    cluster: str | None = Field(
        None,
        description="Address of a running Dask cluster (tcp://host:8786) on which large scenarios' "
        "groups are solved; unset: in the solve's own worker process.",
    )
    solve_memory_mb: int = Field(
        4096,
        ge=512,
        description="Address space of each solve's worker process, in MiB; a solve that needs more fails.",
    )

    def threads_per_solve(self) -> int:
        """CP-SAT workers for one solve: the setting, or the cores shared among the pool (at least 1)."""
        if self.solver_threads:
            return self.solver_threads
        return max(1, (os.cpu_count() or 1) // self.workers)

    def feed_url(self, token: str) -> str:
        """The public address of the feed whose capability token is ``token``."""
        return f"{self.public_base_url.rstrip('/')}/feeds/{token}.ics"
