"""Health endpoint for load balancers and `make run` checks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from soitin import __version__
from soitin.web.deps import DatabaseDep

router = APIRouter()


@router.get("/health", tags=["ops"])
def health(database: DatabaseDep) -> JSONResponse:
    """200 with `{"status": "ok"}` when the database answers, 503 otherwise."""
    try:
        with database.session() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # any database failure means: not healthy
        return JSONResponse(
            {"status": "error", "database": "unreachable", "version": __version__},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": database.dialect, "version": __version__})
