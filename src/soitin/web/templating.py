"""Jinja2 templates with autoescaping, translations, Vietnamese dates and number formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from soitin.report.labels import label as report_label
from soitin.web.csrf import csrf_token
from soitin.web.i18n import MESSAGES, format_datetime, format_day, format_number, translate

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def place_label(code: str, lang: str) -> str:
    """A 2025 place code with its name in `lang` ("Quảng Trị (44)"); the code if unknown."""
    from soitin.triage.wording import place_name

    name = place_name(str(code), lang)
    return f"{name} ({code})" if name != str(code) else str(code)


templates.env.autoescape = True


def request_language(request: Request) -> str:
    """The language of this request: ?lang=, then the cookie, then the setting."""
    lang = request.cookies.get("lang") or request.app.state.settings.language
    return lang if lang in ("vi", "en") else "vi"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the common context (user, language, CSRF token, helpers)."""
    lang = request_language(request)
    tz = request.app.state.settings.tz
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key: translate(key, lang),
        # a name that may have a translation (`ev.police`), else the text itself ("0912…")
        "t_or": lambda key, text: translate(key, lang) if key in MESSAGES else text,
        "fmt_dt": lambda value, with_time=True: format_datetime(value, tz, with_time),
        "place_name": lambda code: place_label(code, lang),
        "fmt_day": format_day,
        "dec": lambda value, digits=2: format_number(value, digits, lang),
        # the report's words for kinds, verdicts, outcomes, statuses (`fact_check`, `removed`)
        "label": lambda key: report_label(key, lang),
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
