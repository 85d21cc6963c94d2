"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; soitin stores timezone-aware UTC times only")
        value = value.astimezone(UTC)
        # SQLite has no time zone type: store naive UTC, restore awareness on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, one function from an aware time to the stored text, in C.

        The same text as `process_bind_param` followed by SQLite's `DATETIME` processor
        ("2026-12-01 03:00:00.000000", naive UTC), which formats each field through a
        dictionary: 3.5 µs a value against 1.8 here (measured on 1,000 distinct times), less
        for a repeated one, and a post's rows carry a dozen times. Elsewhere SQLAlchemy's
        processor.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        # The last time written and its text: a batch writes one time in many rows (fetched,
        # created, updated, processed at; a story's first and last seen). Aware times are
        # equal when they are the same instant, which has one UTC text (a naive time is never
        # equal to an aware one, so it still gets its error). One tuple, read and replaced
        # whole, is safe between threads.
        last: list[tuple[datetime | None, str | None]] = [(None, None)]

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            seen, text = last[0]
            if value == seen:
                return text
            if value.tzinfo is None:
                raise ValueError(
                    "naive datetime given; soitin stores timezone-aware UTC times only"
                )
            # "+00:00" cut off: the year always has four digits
            text = value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
            last[0] = (value, text)
            return text

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)  # noqa: S101 - the driver returns datetimes
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)
