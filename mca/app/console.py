"""What the commands share: consoles, argument types, error handling, and the output formats.

User errors print one line, ``error: <file>: <field>: <problem>``, and exit with status 1;
tables go to standard output, progress to standard error.

A command describes what it shows as a `View`; an `Emitter` of the `EMITTERS` registry writes it
in one format (``table``, ``json``, ``csv``, ``gpkg``). The ``--format`` choices of every
command are derived from that registry; the ``--method`` and ``--solver`` choices are the names
in `METHOD_CHOICES` and `SOLVER_CHOICES`, kept light so that ``mca --help`` loads no data
library (a test holds them equal to the aggregation-method registry and the solver settings).
This module imports only Typer, Rich and the floor's light modules; pandas is loaded by the
functions that draw frames.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

import typer
from rich.console import Console, RenderableType

from mca.app.output import staged_file
from mca.core.errors import UserError
from mca.core.registry import Registry

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from rich.table import Table

METHOD_CHOICES: tuple[str, ...] = ("wsm", "topsis", "electre2", "electre")
"""``--method``: the spellings of `mca.scoring.methods.METHODS` (a test keeps them equal)."""
SOLVER_CHOICES: tuple[str, ...] = ("cbc", "highs")
"""``--solver``: the solvers `solvers.settings.AllocationSettings` accepts (a test keeps them equal)."""

out = Console(soft_wrap=False)
"""Standard output; its width follows the terminal (or ``COLUMNS``), `set_width` overrides it."""
err = Console(stderr=True)


def set_width(width: int | None) -> None:
    """Use ``width`` columns for tables and messages instead of the terminal's width."""
    if width is not None:
        out.width = err.width = width


def readable_help_types() -> None:
    """Show arguments in ``--help`` as ``FILE...`` rather than ``<list[Path]>``.

    Typer prints the Python annotation of an argument as its type; an argument with an explicit
    ``metavar`` is already named by it in the first column, so it shows no type beside it.
    """
    original = typer.core.TyperArgument.display_type_rich

    def display(self: typer.core.TyperArgument, ctx: Any) -> str | None:
        return None if self.metavar else original(self, ctx)

    typer.core.TyperArgument.display_type_rich = display  # type: ignore[method-assign,assignment]


F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class View:
    """What a command shows, in every form its formats need.

    ``table``: Rich renderables (tables, lines with markup) for the terminal; ``data``: the JSON
    form; ``csv``: the CSV text; ``geo``: sites with geometry (GeoPackage). A form left ``None``
    is one the command does not offer.
    """

    table: Sequence[RenderableType]
    data: Any = None
    csv: str | None = None
    geo: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class Emitter:
    """One output format: ``emit(view, path)`` writes the view to ``path`` or standard output.

    ``needs_file``: the format can only be written to a file (``--out``); ``geo``: it needs the
    view's geometry, so only commands listing sites offer it.
    """

    name: str
    description: str
    emit: Callable[[View, Path | None], None]
    needs_file: bool = False
    geo: bool = False
    aliases: tuple[str, ...] = ()


def _check_emitter(emitter: Any, _registry: Registry[Emitter]) -> None:
    if not isinstance(emitter, Emitter):
        raise TypeError(f"expected an Emitter, got {type(emitter).__name__}")
    if not emitter.description.strip():
        raise ValueError("needs a description")
    if not callable(emitter.emit):
        raise TypeError("emit must be a function of (View, Path | None)")


def write_text(text: str, path: Path | None) -> None:
    """Write ``text`` to ``path`` (staged, replaced only when complete) or standard output."""
    if path is None:
        sys.stdout.write(text)
    else:
        with staged_file(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        err.print(f"wrote {path}")


def _emit_table(view: View, _path: Path | None) -> None:
    for item in view.table:
        out.print(item, highlight=False)


def _emit_json(view: View, path: Path | None) -> None:
    from mca.core.jsonable import dumps

    write_text(dumps(view.data) + "\n", path)


def _emit_csv(view: View, path: Path | None) -> None:
    write_text(view.csv or "", path)


def _emit_gpkg(view: View, path: Path | None) -> None:
    if view.geo is None or path is None:
        raise UserError("--format gpkg needs sites with geometry and --out PATH", field="--format")
    with staged_file(path) as tmp:
        view.geo.to_file(tmp, layer="candidate_sites", driver="GPKG")
    err.print(f"wrote {len(view.geo)} sites to {path}")


EMITTERS: Registry[Emitter] = Registry("output format", _check_emitter)
for _emitter in (
    Emitter("table", "a table on the terminal", _emit_table),
    Emitter("json", "JSON", _emit_json),
    Emitter("csv", "CSV", _emit_csv),
    Emitter("gpkg", "GeoPackage layer candidate_sites (needs --out)", _emit_gpkg, needs_file=True, geo=True),
):
    EMITTERS.register(_emitter)


def format_names(*, geo: bool) -> tuple[str, ...]:
    """The registered formats a command offers: all of them, or those without geometry."""
    return tuple(emitter.name for emitter in EMITTERS if geo or not emitter.geo)


def choice_type(name: str, choices: Iterable[str]) -> Any:
    """A str Enum whose members are ``choices``: Typer lists them in the help and checks them."""
    return Enum(name, [(choice, choice) for choice in choices], type=str)


if TYPE_CHECKING:  # the type checker sees plain strings, Typer the registered choices
    TableFormat: TypeAlias = str
    SitesFormat: TypeAlias = str
    MethodName: TypeAlias = str
    SolverName: TypeAlias = str
else:
    TableFormat = choice_type("TableFormat", format_names(geo=False))
    SitesFormat = choice_type("SitesFormat", format_names(geo=True))
    MethodName = choice_type("MethodName", METHOD_CHOICES)
    SolverName = choice_type("SolverName", SOLVER_CHOICES)


def plain(choice: str | None) -> str | None:
    """The text of a command-line choice (Typer hands over an Enum member)."""
    return None if choice is None else str(getattr(choice, "value", choice))


def emit(view: View, fmt: str, path: Path | None = None) -> None:
    """Write ``view`` in the format ``fmt`` to ``path`` or standard output."""
    EMITTERS.get(plain(fmt) or "table", field="--format").emit(view, path)


def check_format(fmt: str, path: Path | None, *, force: bool = False) -> None:
    """Refuse a format that needs ``--out`` without one, and an existing ``--out`` file without ``--force``."""
    emitter = EMITTERS.get(plain(fmt) or "table", field="--format")
    if emitter.needs_file and path is None:
        raise UserError(f"--format {emitter.name} needs --out PATH", field="--out")
    if path is not None and path.exists() and not force:
        raise UserError("output file exists; use --force to replace it", source=path)


ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario YAML file; default: the bundled Heerlen base case.", show_default=False),
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")]
SitesFormatOpt = Annotated[SitesFormat, typer.Option("--format", "-f", help="Output format.")]
MethodOpt = Annotated[
    MethodName | None,
    typer.Option("--method", "-m", help="Aggregation method (mca.scoring.methods); default from the scenario."),
]
SolverOpt = Annotated[
    SolverName | None, typer.Option("--solver", help="MIP solver; default from the scenario (allocation.solver).")
]


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


def frame_view(frame: pd.DataFrame, title: str | None = None, *, data: Any = None) -> View:
    """A view of one frame: a Rich table, its records as JSON (unless ``data`` is given), CSV."""
    from mca.core.csvio import csv_text
    from mca.core.jsonable import records

    return View([frame_to_table(frame, title)], records(frame) if data is None else data, csv_text(frame))


def frame_to_table(frame: pd.DataFrame, title: str | None = None) -> Table:
    """A Rich table of a frame, numbers right-aligned and rounded for reading.

    A header wraps between words, never inside one (its longest word sets the column's least
    width); text columns keep at least ten characters; long texts fold.
    """
    import pandas as pd
    from rich.table import Table

    table = Table(title=title, show_lines=False, title_justify="left")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        header = str(column).replace("_", " ")  # so that a header wraps between words
        least = max((len(word) for word in header.split()), default=1)
        table.add_column(
            header,
            justify="right" if numeric else "left",
            overflow="fold",
            min_width=least if numeric else max(least, 10),
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
