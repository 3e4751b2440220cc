"""User-facing errors: one line, naming the file and field, no traceback."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """An error caused by the user's input, reported as one line by the CLI.

    ``source`` is the file (or layer) and ``field`` the field or column concerned;
    both are optional but should be given whenever they are known.
    """

    def __init__(self, message: str, *, source: str | Path | None = None, field: str | None = None) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as shown to the user: ``file: field: message``."""
        parts = [p for p in (self.source, self.field) if p]
        prefix = ": ".join(parts)
        text = " ".join(self.message.split())
        return f"{prefix}: {text}" if prefix else text


class DataError(UserError):
    """Bad geodata or tabular data: missing CRS, missing column, invalid geometry and the like."""


class InfeasibleError(UserError):
    """A model that cannot be solved as asked, with the reason."""
