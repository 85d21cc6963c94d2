"""The web fixtures (app on the test database, signed-in clients) for the claims API tests."""

from tests.web.conftest import app_client, signed_in, units

__all__ = ["app_client", "signed_in", "units"]
