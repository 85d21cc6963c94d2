"""The web fixtures (app on both databases, signed-in clients) and the live server + Chromium."""

from tests.browser.conftest import browser, live_server  # noqa: F401
from tests.web.conftest import app_client, signed_in, units  # noqa: F401
