"""The `mca` command line: the Typer app and the commands registered on it.

Every command takes an optional scenario file (default: the bundled Heerlen base case); the
commands themselves live in `mca.app.commands`, their shared helpers in `mca.app.console`.
Nothing imported here loads pandas, GeoPandas, Matplotlib, SciPy or PuLP: the commands import
them when they run, so ``mca --help`` starts in a fraction of a second.
"""

from __future__ import annotations

from typing import Annotated

import typer

import mca
from mca.app import commands, console
from mca.app.layer_commands import layers_app
from mca.app.serve import serve

console.readable_help_types()
app = typer.Typer(
    name="mca",
    help="Multi-criteria site selection and allocation of business-park demand (Heerlen).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"mca {mca.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    width: Annotated[
        int | None, typer.Option("--width", min=40, help="Columns for tables; default: the terminal's width.")
    ] = None,
) -> None:
    """Multi-criteria site selection and allocation of business-park demand."""
    console.set_width(width)


app.command()(commands.run)
app.command()(commands.compare)
app.command()(commands.demand)
app.command()(commands.candidates)
app.command()(commands.rank)
app.command()(commands.robustness)
app.command()(commands.allocate)
app.command("check-data")(commands.check_data)
app.command()(commands.show)
app.command()(serve)
app.command()(commands.sweep)
app.add_typer(layers_app, name="layers")
