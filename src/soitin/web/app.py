"""The FastAPI application: pages (Jinja2 + htmx) and the JSON API under /api/v1."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from soitin import __version__
from soitin.db import open_database
from soitin.db.engine import Database
from soitin.settings import Settings, get_settings
from soitin.web.errors import install_error_handlers
from soitin.web.security import SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app for `settings`, on `database` (opened from the settings if not given)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="soitin",
        version=__version__,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database or open_database(settings)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="soitin_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=settings.env == "production",
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from soitin.web.pages import auth, dashboard, health

    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(dashboard.router)
    # --- area routers: one import + include_router each ---
    # --- end of area routers ---
    return app
