"""Review tests reuse the unit tree and users of the web tests."""

from __future__ import annotations

from tests.web.conftest import units

__all__ = ["units"]
