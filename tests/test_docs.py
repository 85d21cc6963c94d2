"""Documentation is tested: every CLI command and every setting appears in docs/ or README."""

from __future__ import annotations

from pathlib import Path

from tests.docs_helpers import all_commands, all_setting_names

ROOT = Path(__file__).resolve().parents[1]


def _docs_text() -> str:
    parts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(parts)


def test_every_cli_command_is_documented() -> None:
    text = _docs_text()
    missing = [c for c in all_commands() if c not in text]
    assert not missing, f"undocumented commands: {missing}"


def test_every_setting_is_documented() -> None:
    text = _docs_text()
    missing = [s for s in all_setting_names() if s not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert "make run" in head and "make test" in head
