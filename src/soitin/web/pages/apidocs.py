"""`/docs`: the OpenAPI description rendered on the server (no CDN, no inline script)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soitin.web.templating import render

router = APIRouter(include_in_schema=False)
_METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list[{_ref_name(schema.get('items'))}]"
    return str(schema.get("type", ""))


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the spec as plain rows, grouped order by tag then path."""
    out: list[dict[str, Any]] = []
    paths: dict[str, dict[str, Any]] = spec.get("paths", {})
    for path, item in paths.items():
        for method in _METHODS:
            op: dict[str, Any] | None = item.get(method)
            if not op:
                continue
            body: dict[str, Any] = (op.get("requestBody") or {}).get("content", {})
            first_body: dict[str, Any] = next(iter(body.values()), {})
            body_schema = first_body.get("schema")
            ok: dict[str, Any] = next(
                (r for code, r in op.get("responses", {}).items() if code.startswith("2")), {}
            )
            ok_content: dict[str, Any] = ok.get("content", {})
            first_ok: dict[str, Any] = next(iter(ok_content.values()), {})
            ok_schema = first_ok.get("schema")
            out.append(
                {
                    "tag": (op.get("tags") or ["other"])[0],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        (p["name"], p.get("in", ""), _ref_name(p.get("schema")), p.get("required"))
                        for p in op.get("parameters", [])
                    ],
                    "body": _ref_name(body_schema),
                    "returns": _ref_name(ok_schema),
                }
            )
    out.sort(key=lambda o: (o["tag"], o["path"], o["method"]))
    return out


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The API reference; the machine-readable spec is at /api/v1/openapi.json."""
    spec = request.app.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    return render(
        request,
        "review/api_docs.html",
        {
            "ops": operations(spec),
            "schemas": sorted(schemas.items()),
            "info": spec.get("info", {}),
        },
    )
