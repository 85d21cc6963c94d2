"""The known month on both databases: the same fixtures as the report tests."""

from tests.report.conftest import client, signed_in, world, world_session

__all__ = ["client", "signed_in", "world", "world_session"]
