"""The review area's JSON API under `/api/v1` (same policies as the pages)."""

from __future__ import annotations

from fastapi import APIRouter

from soitin.web.api import admin, cases, sources

router = APIRouter(prefix="/api/v1")
router.include_router(cases.router)
router.include_router(admin.router)
router.include_router(sources.router)
