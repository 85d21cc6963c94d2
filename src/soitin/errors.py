"""Domain errors raised by services; the web layer maps them to HTTP answers in one place.

An error raised for a person to read names a message key of `soitin.messages` and its
parameters: `InvalidInputError(key="respond.needs", kind="fact_check", fields=["url"])`. Its
`str()` is the English sentence (the API and the CLI speak English); pages show the same key
in the page's language.
"""

from __future__ import annotations

from typing import Any


class SoitinError(Exception):
    """Base of every error we raise on purpose; its message is one clear sentence."""

    def __init__(self, message: str = "", *, key: str | None = None, **params: Any) -> None:
        if key is not None:
            from soitin.messages import format_message  # the catalogue imports nothing back

            message = message or format_message(key, "en", params)
        super().__init__(message)
        self.key = key
        self.params = params


class ConfigError(SoitinError, ValueError):
    """A setting is missing or wrong."""


class DatabaseError(SoitinError):
    """The database cannot be reached, or its schema is not one we can use."""


class NotFoundError(SoitinError):
    """The object asked for does not exist (or is not visible to the user)."""


class PermissionDeniedError(SoitinError):
    """The user may not do this."""


class InvalidInputError(SoitinError):
    """Input failed validation; the message says what is wrong."""


class ConflictError(SoitinError):
    """The change conflicts with the current state."""
