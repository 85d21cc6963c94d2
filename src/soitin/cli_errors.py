"""One way for every CLI command to fail: our errors as one sentence on stderr, exit code 1."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from soitin.errors import SoitinError

__all__ = ["clear_errors"]

F = TypeVar("F", bound=Callable[..., Any])
_err = Console(stderr=True)


def clear_errors(func: F) -> F:
    """Turn our errors into one sentence on stderr and exit code 1, no traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SoitinError as exc:
            # Escaped: messages quote user, feed and file text ("[/b]" would be read as markup).
            _err.print(f"[bold red]Lỗi / Error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
