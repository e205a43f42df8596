"""Engine and sessions: SQLite in WAL mode with foreign keys and a busy timeout, or any other URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, *, reader: bool = False) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created and the file set to WAL mode.

    On SQLite a writing engine takes the write lock when a transaction begins, so that
    concurrent writers queue (within the busy timeout) instead of failing on lock upgrade;
    a ``reader`` engine is read-only and never takes it, so reads run side by side.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", _configure_sqlite)
    if reader:
        event.listen(engine, "connect", _read_only)
    else:
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal, foreign keys enforced, a busy timeout, and transactions driven by SQLAlchemy."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock at the start of a transaction, so that concurrent writers wait, not fail."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


class Database:
    """The service's database: a writing engine and, on SQLite, a separate read-only one."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        shared = self.engine.dialect.name != "sqlite"
        self.reader = self.engine if shared else make_engine(url, reader=True)
        self.sessions = make_session_factory(self.engine)
        self.read_sessions = make_session_factory(self.reader)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.reader.dispose()
