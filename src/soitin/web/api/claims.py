"""`/api/v1/claims`: the claim library (read by everyone signed in, changed by leads/admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from soitin.db.models import Claim
from soitin.errors import InvalidInputError
from soitin.review import claim_library
from soitin.review.claim_library import require_claim_editor
from soitin.stories import claims as library
from soitin.stories.claim_service import library_matcher
from soitin.stories.claimreview import MAX_FILE_BYTES
from soitin.web.api.auth import ApiUser, api_csrf
from soitin.web.deps import SessionDep, SettingsDep, client_ip

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["claims"], dependencies=[Depends(api_csrf)])


class ClaimIn(BaseModel):
    """A fact-checked claim."""

    text: str = Field(min_length=1, max_length=2000)
    verdict: str = Field(max_length=100, examples=["false", "misleading", "true", "unproven"])
    url: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=255)
    reviewed_on: str | None = Field(default=None, max_length=40, examples=["2025-06-30"])
    language: str = Field(default="vi", max_length=8)


class ClaimPatch(BaseModel):
    """Fields to change."""

    text: str | None = Field(default=None, min_length=1, max_length=2000)
    verdict: str | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=255)
    reviewed_on: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=8)


class MatchIn(BaseModel):
    """A text to match against the library."""

    text: str = Field(min_length=1, max_length=20_000)


def claim_to_dict(claim: Claim) -> dict[str, Any]:
    """The JSON form of a claim."""
    return {
        "id": claim.id,
        "text": claim.text,
        "verdict": claim.verdict,
        "url": claim.url,
        "publisher": claim.publisher,
        "reviewed_on": claim.reviewed_on,
        "language": claim.language,
        "unit_id": claim.unit_id,
        "created_by_id": claim.created_by_id,
        "created_at": claim.created_at.isoformat(),
    }


@router.get("/claims", summary="The claim library")
def list_claims(
    session: SessionDep,
    user: ApiUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    verdict: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Claims, newest first; `q` searches the text without diacritics."""
    found, total = library.list_claims(
        session, query=q, verdict=verdict, limit=limit, offset=offset
    )
    return {"total": total, "claims": [claim_to_dict(c) for c in found]}


@router.post("/claims", status_code=201, summary="Add a claim")
def add_claim(
    body: ClaimIn, request: Request, session: SessionDep, settings: SettingsDep, user: ApiUser
) -> dict[str, Any]:
    """Add a fact-checked claim (leads and admins); it belongs to your unit. The stories seen
    in the last `SOITIN_CLAIM_REMATCH_DAYS` days are matched against it at once; `rematch`
    says how many were looked at, how many now match and which cases opened or rose."""
    require_claim_editor(user)
    change = claim_library.add_claim(
        session, settings, user, body.model_dump(), ip=client_ip(request)
    )
    session.commit()
    return {**claim_to_dict(change.claims[0]), "rematch": change.summary()}


@router.get("/claims/export", summary="Export the library")
def export_claims(
    session: SessionDep,
    user: ApiUser,
    fmt: Annotated[str, Query(alias="format", pattern="^(jsonld|csv)$")] = "jsonld",
) -> Response:
    """schema.org ClaimReview JSON-LD, or CSV."""
    body = library.export_claims(session, fmt)
    if fmt == "csv":
        media, name = "text/csv; charset=utf-8", "claims.csv"
    else:
        media, name = "application/ld+json", "claims.jsonld"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/claims/import", summary="Import ClaimReview JSON-LD or CSV")
async def import_claims(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="ClaimReview JSON-LD or CSV")],
) -> dict[str, Any]:
    """Add the claims of the file (leads and admins); claims already there are skipped. The
    recent stories are matched against the new claims, as for one claim."""
    require_claim_editor(user)
    data = await file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(key="input.file_too_large")
    change = claim_library.import_claims(
        session, settings, user, data, file.filename or "", ip=client_ip(request)
    )
    session.commit()
    return {
        "added": len(change.claims),
        "skipped": change.skipped,
        "claim_ids": [c.id for c in change.claims],
        "rematch": change.summary(),
    }


@router.post("/claims/match", summary="Match a text against the library")
def match_text(
    body: MatchIn, session: SessionDep, settings: SettingsDep, user: ApiUser
) -> dict[str, Any]:
    """The claims the text repeats, best first, with score, verdict and matched passage."""
    matcher = library_matcher(session, settings, semantic=True)
    session.commit()  # claim vectors computed for new claims are kept
    return {
        "matches": [
            {
                "claim_id": m.claim_id,
                "score": m.score,
                "verdict": m.verdict,
                "lexical": m.lexical,
                "semantic": m.semantic,
                "passage": m.passage,
            }
            for m in matcher.match(body.text)
        ]
    }


@router.get("/claims/{claim_id}", summary="One claim")
def get_claim(claim_id: int, session: SessionDep, user: ApiUser) -> dict[str, Any]:
    """A claim of the library."""
    return claim_to_dict(library.get_claim(session, claim_id))


@router.patch("/claims/{claim_id}", summary="Change a claim")
def update_claim(
    claim_id: int,
    body: ClaimPatch,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: ApiUser,
) -> dict[str, Any]:
    """Change the given fields (leads and admins); the stories are matched again."""
    require_claim_editor(user)
    change = claim_library.update_claim(
        session, settings, user, claim_id, body.model_dump(exclude_unset=True),
        ip=client_ip(request),
    )  # fmt: skip
    session.commit()
    return {**claim_to_dict(change.claims[0]), "rematch": change.summary()}


@router.delete("/claims/{claim_id}", status_code=204, summary="Remove a claim")
def delete_claim(
    claim_id: int, request: Request, session: SessionDep, settings: SettingsDep, user: ApiUser
) -> Response:
    """Remove a claim and its matches (leads and admins)."""
    require_claim_editor(user)
    claim_library.remove_claim(session, settings, user, claim_id, ip=client_ip(request))
    session.commit()
    return Response(status_code=204)
