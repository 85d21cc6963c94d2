"""Domain errors raised by services; the web layer maps them to HTTP answers in one place."""

from __future__ import annotations


class SoitinError(Exception):
    """Base of every error we raise on purpose; its message is one clear sentence."""


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
