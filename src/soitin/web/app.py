"""The FastAPI application: pages (Jinja2 + htmx) and the JSON API under /api/v1."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from soitin import __version__
from soitin.db import open_database
from soitin.db.engine import Database
from soitin.settings import Settings, get_settings
from soitin.web.errors import install_error_handlers
from soitin.web.json_body import LoneSurrogateMiddleware
from soitin.web.security import SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app for `settings`, on `database` (opened from the settings if not given)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="soitin",
        version=__version__,
        docs_url=None,  # /docs is rendered by web/pages/apidocs.py (CSP: no CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database or open_database(settings)
    app.add_middleware(LoneSurrogateMiddleware)
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

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """Browsers ask for it on pages without an icon link (the API's JSON, files)."""
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    from soitin.web.pages import auth, dashboard, health, ops, tasks

    app.include_router(health.router)
    app.include_router(ops.router)
    app.include_router(tasks.router)
    app.include_router(auth.router)
    app.include_router(dashboard.router)
    # --- area routers: one import + include_router each ---
    from soitin.web.api import review as review_api
    from soitin.web.pages import review as review_pages

    app.include_router(review_pages.router)
    app.include_router(review_api.router)
    from soitin.web.api import items as api_items
    from soitin.web.api import tips as api_tips

    app.include_router(api_items.router)
    app.include_router(api_tips.router)
    app.include_router(api_tips.page_router)
    from soitin.web.api import alerts as alerts_api
    from soitin.web.pages import alerts as alerts_pages

    app.include_router(alerts_pages.router)
    app.include_router(alerts_api.router)
    from soitin.web.api import publications as api_publications
    from soitin.web.api import responses as api_responses
    from soitin.web.api import stats as api_stats
    from soitin.web.pages import reports as reports_pages
    from soitin.web.pages import respond as respond_pages

    app.include_router(api_stats.router)
    app.include_router(api_responses.router)
    app.include_router(api_publications.router)
    app.include_router(reports_pages.router)
    app.include_router(respond_pages.router)
    from soitin.web.api import claims as api_claims

    app.include_router(api_claims.router)
    from soitin.web.pages import claims as claims_pages

    app.include_router(claims_pages.router)
    # --- end of area routers ---
    return app
