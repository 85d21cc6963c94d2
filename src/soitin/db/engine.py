"""Engine and sessions for SQLite (embedded, WAL) and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from soitin.errors import DatabaseError


def dumps_compact(value: Any) -> str:
    """JSON columns as stored: UTF-8 text as it is and no spaces after separators.

    The default (`json.dumps`) wrote every Vietnamese letter of an explanation or a scam
    phrase as a six-byte `\\uXXXX` escape, and a space after every comma and colon. A lone
    surrogate (hostile input can carry one) has no UTF-8 form, so such a value is escaped.

    orjson writes the same text about three times faster (the detectors' results of every
    item go through here); what it cannot write, or writes unlike `json` (lone surrogates,
    integers beyond 64 bits, times, dataclasses), goes the `json` way, which escapes the
    first, writes the second and refuses the others, as before. One difference: a NaN or
    infinite number is written as `null` (`json` wrote `NaN`, which is not JSON and which
    PostgreSQL refused).
    """
    try:
        return orjson.dumps(value, option=_ORJSON).decode()
    except (TypeError, orjson.JSONEncodeError):
        pass
    out = _UTF8_COMPACT.encode(value)
    if _SURROGATE.search(out):
        return _ASCII_COMPACT.encode(value)
    return out


def loads_json(text: str | bytes) -> Any:
    """A JSON column's text as Python values: orjson, or `json` for what orjson refuses (an
    escaped lone surrogate, which `dumps_compact` writes for hostile text; NaN)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# built once: `json.dumps` with any option builds a new encoder for every value
_UTF8_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_ASCII_COMPACT = json.JSONEncoder(separators=(",", ":"))
_SURROGATE = re.compile("[\ud800-\udfff]")
_ORJSON = (
    orjson.OPT_NON_STR_KEYS  # {1: …} as {"1": …}, as `json` does
    | orjson.OPT_PASSTHROUGH_DATETIME  # refused, as `json` refuses them
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


#: Page cache of each SQLite connection, in KiB.
SQLITE_CACHE_KIB = 8192


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and real transactions."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"The database URL {url!r} is not a valid SQLAlchemy URL.") from exc
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise DatabaseError(
            f"Unsupported database {backend!r}: use sqlite:///PATH or postgresql+psycopg://..."
        )
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # A read request may hold its connection while it writes an audit line through a
            # second one: a bounded pool would deadlock under load once every pooled
            # connection is held by a reader waiting for another. SQLite connections are
            # cheap, so extra ones are opened (and closed) instead of waited for.
            kwargs.setdefault("pool_size", 16)
            kwargs.setdefault("max_overflow", -1)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("json_serializer", dumps_compact)
    kwargs.setdefault("json_deserializer", loads_json)
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseError(f"No driver for {parsed.drivername!r}: {exc}.") from exc
    if backend == "sqlite":
        timeout = float(kwargs["connect_args"].get("timeout", 30))
        _configure_sqlite(engine, busy_timeout_ms=int(timeout * 1000))
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions (needed for SAVEPOINT and locking).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # How long a writer waits for the lock (the driver's `timeout`, 30 s by default).
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # 8 MiB of page cache (default 2 MiB): a 500-item batch's changed pages no longer
            # spill to the WAL before commit, and reads from disk fall by two thirds.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB:d}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # read first and writes later fails at once with "database is locked" when another
        # writer committed in between; an immediate one waits its turn (busy_timeout).
        # Read-only sessions (web GETs) run with query_only, so a stray write fails loudly
        # instead of racing for the lock; the pooled connection is reset for the next user.
        options = conn.get_execution_options()
        read_only = bool(options.get("sqlite_read_only"))
        conn.exec_driver_sql(f"PRAGMA query_only={1 if read_only else 0}")
        # Sessions that may write keep each statement's undo record in memory: it went to a
        # temporary file in 64 KiB pieces, two thirds of the pipeline's write calls. Readers
        # keep SQLite's default, so a large sort for a page or report goes to a temporary
        # file instead of growing the process (in memory, one over 2M rows took 236 MB).
        conn.exec_driver_sql(f"PRAGMA temp_store={'DEFAULT' if read_only else 'MEMORY'}")
        conn.exec_driver_sql(options.get("sqlite_begin", "BEGIN"))


def describe_url(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def check_connection(engine: Engine) -> None:
    """Raise `DatabaseError` with one clear sentence if the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(
            f"Cannot reach the database at {describe_url(str(engine.url))}: {reason}"
        ) from exc


class Database:
    """Sessions bound to an engine, or (in tests) to one connection inside a transaction."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        self.engine = bind if isinstance(bind, Engine) else bind.engine
        self._factory = sessionmaker(
            bind=bind,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        #: SQLite file engines: readers and the one writer are separate transactions (WAL),
        #: so a read-only request must write (an audit line) through its own transaction.
        self.isolates_writers = isinstance(bind, Engine) and bind.dialect.name == "sqlite"
        writer = (
            bind.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            if self.isolates_writers
            else bind
        )
        self._writer_factory = sessionmaker(
            bind=writer,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        reader = bind.execution_options(sqlite_read_only=True) if self.isolates_writers else bind
        self._reader_factory = sessionmaker(
            bind=reader,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def session(self, *, write: bool = False, read_only: bool = False) -> Session:
        """A new session; use as a context manager.

        `write=True` for one that will write (SQLite: takes the write lock when it begins);
        `read_only=True` for one that must not (SQLite: any write raises).
        """
        if write:
            return self._writer_factory()
        return (self._reader_factory if read_only else self._factory)()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session whose work commits on success and rolls back on error."""
        with self._writer_factory() as session, session.begin():
            yield session
