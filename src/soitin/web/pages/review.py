"""The review workbench's pages, in one router for `create_app`."""

from __future__ import annotations

from fastapi import APIRouter

from soitin.review.policies import Action, can
from soitin.web.i18n import MESSAGES
from soitin.web.pages import admin, apidocs, audit_log, cases, guides, queue, sources, tokens
from soitin.web.pages.review_text import REVIEW_MESSAGES
from soitin.web.templating import templates

# Templates ask the policy functions (never role names) what to show.
templates.env.globals.update(can=can, Action=Action)
for _key, _value in REVIEW_MESSAGES.items():
    MESSAGES.setdefault(_key, _value)

router = APIRouter()
for _module in (queue, cases, admin, sources, audit_log, guides, tokens, apidocs):
    router.include_router(_module.router)
