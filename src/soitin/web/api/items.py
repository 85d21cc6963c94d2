"""`POST /api/v1/items`: sources push items with their own bearer token.

Thin handler: authenticate the token → read the body (size-limited) → validate → one
service call in one transaction. Retrying a request is harmless (idempotent on the source's
external id, or on the content hash when an item has none).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from soitin.db.engine import Database
from soitin.ingest.incoming import IncomingItem
from soitin.ingest.push import (
    MAX_BATCH_ITEMS,
    MAX_BODY_BYTES,
    BatchTooLargeError,
    PushValidationError,
    parse_push_payload,
    push_items,
)
from soitin.ingest.sources import InvalidTokenError, authenticate_token
from soitin.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["ingest"])


class BodyTooLargeError(BatchTooLargeError):
    """The request body is larger than `MAX_BODY_BYTES`."""


class UnsupportedMediaTypeError(Exception):
    """The body is not declared as JSON (answered 415)."""


class BadJsonError(Exception):
    """The body is not valid JSON (answered 400)."""


def _error(status: int, detail: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="soitin"'} if status == 401 else None
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def read_json_body(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    """The JSON body, refusing more than `limit` bytes before reading them all."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaTypeError("Send the body as JSON (Content-Type: application/json).")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(f"The body is larger than the limit of {limit:,} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLargeError(f"The body is larger than the limit of {limit:,} bytes.")
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise BadJsonError("The body is not UTF-8 encoded JSON.") from None
    except json.JSONDecodeError as exc:
        raise BadJsonError(
            f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except RecursionError:
        raise BadJsonError("The body is not valid JSON: nested too deeply.") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's conversion limit)
        raise BadJsonError("The body is not valid JSON: a number has too many digits.") from None


def _check_token(database: Database, token: str) -> None:
    with database.session() as session:
        authenticate_token(session, token)


def _store(database: Database, token: str, items: list[IncomingItem], key: str) -> dict[str, Any]:
    with database.transaction() as session:
        # Authenticate again inside the transaction: a token revoked meanwhile stores nothing.
        source = authenticate_token(session, token)
        result = push_items(session, source, items, key=key)
        return {
            "source": source.name,
            "received": result.received,
            "created": result.created,
            "duplicates": result.duplicates,
            "items": result.items,
        }


_ITEM_SCHEMA = IncomingItem.model_json_schema()
_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _ITEM_SCHEMA,
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": _ITEM_SCHEMA,
                                    "maxItems": MAX_BATCH_ITEMS,
                                }
                            },
                            "required": ["items"],
                            "additionalProperties": False,
                        },
                    ]
                }
            }
        },
    }
}


@router.post(
    "/items",
    summary="Push items (one, or a batch of up to 1000)",
    openapi_extra=_OPENAPI_BODY,
    responses={
        200: {"description": "Stored; `created` new, `duplicates` already there."},
        400: {"description": "The body is not valid JSON."},
        401: {"description": "No, unknown or revoked bearer token."},
        413: {"description": "More than 1000 items or 10 MB."},
        415: {"description": "The body is not JSON."},
        422: {"description": "Invalid items (listed in `errors`); nothing stored."},
    },
)
async def push(request: Request, database: DatabaseDep, settings: SettingsDep) -> JSONResponse:
    """Store one item or a batch for the token's source; all or nothing, idempotent."""
    token = bearer_token(request)
    if token is None:
        return _error(401, "Send the source's token as `Authorization: Bearer <token>`.")
    try:
        await run_in_threadpool(_check_token, database, token)
        payload = await read_json_body(request)
        items = parse_push_payload(payload)
        answer = await run_in_threadpool(_store, database, token, items, settings.pseudonym_key)
    except InvalidTokenError as exc:
        return _error(401, str(exc))
    except UnsupportedMediaTypeError as exc:
        return _error(415, str(exc))
    except BadJsonError as exc:
        return _error(400, str(exc))
    except BatchTooLargeError as exc:
        return _error(413, str(exc), max_items=MAX_BATCH_ITEMS, max_bytes=MAX_BODY_BYTES)
    except PushValidationError as exc:
        errors = [{"index": e.line, "reason": e.reason} for e in exc.errors]
        return _error(422, str(exc), errors=errors)
    return JSONResponse(answer, status_code=200)
