"""Pseudonymisation of post authors: a keyed hash replaces the handle before anything is stored."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

__all__ = ["normalise_handle", "pseudonymise_author"]


def normalise_handle(handle: str) -> str:
    """The handle in one canonical spelling: NFC, trimmed, no leading `@`, case-folded."""
    return unicodedata.normalize("NFC", handle).strip().lstrip("@").strip().casefold()


def pseudonymise_author(handle: str, key: str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of the normalised `handle` under `key`.

    The same handle gives the same value under one key, so posts by one account can be grouped
    without ever storing who it is; without the key the value cannot be reversed or recomputed.
    """
    if not key:
        raise ValueError("the pseudonymisation key is empty")
    digest = hmac.new(key.encode("utf-8"), normalise_handle(handle).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()
