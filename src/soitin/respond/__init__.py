"""Responses: the ledger of what the team did about a case, its own publications and their
reach (by form, API or the platforms' insights exports). Modules: `ledger`, `publications`,
`insights`, `access` (permission checks, delegated to `soitin.review.policies`).
"""
