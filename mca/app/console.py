"""What the commands share: the consoles, argument types, error handling and frame emitters.

User errors print one line, ``error: <file>: <field>: <problem>``, and exit with status 1;
tables go to standard output, progress to standard error.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from mca.core.csvio import csv_text
from mca.core.errors import UserError
from mca.core.jsonable import dumps, records

out = Console(soft_wrap=False, width=200)
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class SitesFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    gpkg = "gpkg"


ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario YAML file; default: the bundled Heerlen base case.", show_default=False),
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")]


def handle_errors(func: F) -> F:
    """Report user errors as one line and exit 1, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                return func(*args, **kwargs)
        except UserError as exc:
            err.print(f"[bold red]error:[/] {exc.one_line()}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing was written")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    """Write JSON to standard output."""
    sys.stdout.write(dumps(data) + "\n")


def emit_frame(frame: pd.DataFrame, fmt: TableFormat, title: str | None = None) -> None:
    """Write a frame as a Rich table, JSON records or CSV."""
    if fmt is TableFormat.json:
        emit_json(records(frame))
    elif fmt is TableFormat.csv:
        sys.stdout.write(csv_text(frame))
    else:
        out.print(frame_to_table(frame, title))


def frame_to_table(frame: pd.DataFrame, title: str | None = None) -> Table:
    """A Rich table of a frame, numbers right-aligned and rounded for reading."""
    table = Table(title=title, show_lines=False, title_justify="left")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
