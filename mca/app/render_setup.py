"""What rendering needs that neither pandas nor GeoPandas does: resolution, text outline, warm-up, templates.

The writer helper of ``mca run`` (`mca.app.writer_process`) imports Matplotlib and warms it up with
this module first, on the second core, while the first process imports the chain's modules; it
compiles the templates later. `mca compare` and the workbench use the same templates.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

if TYPE_CHECKING:
    import jinja2

DPI = 120
"""Resolution of every map and chart (dots per inch)."""
TEXT_OUTLINE = [patheffects.withStroke(linewidth=2.5, foreground="white")]
"""A white halo that keeps map labels legible over any fill."""
REPORT_TEMPLATE = "report.html.j2"
FACTSHEET_TEMPLATE = "factsheet.html.j2"
RUN_TEMPLATES = (REPORT_TEMPLATE, FACTSHEET_TEMPLATE)
"""The templates every run renders (the report and the fact sheets)."""


@cache
def report_template(name: str) -> jinja2.Template:
    """The Jinja template ``name`` from ``mca/app/templates``, compiled once per process: autoescaped, strict."""
    import jinja2  # imported here: only the writers that render HTML need it

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("mca.app", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(name)


def warm_up() -> None:
    """Draw a small figure with what the maps use (fonts, outlined text, hatches, legend, markers), unsaved.

    Matplotlib loads fonts and builds its caches at a process's first drawing, which made the
    first map of each writing process about 0.07 s slower; the writer helper calls this before
    it forks the processes that draw, so that they start warm.
    """
    fig = Figure(figsize=(3.0, 2.0), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.add_patch(Rectangle((0.1, 0.1), 0.3, 0.3, facecolor="#d9d9d9", edgecolor="#7f7f7f", hatch="xxx"))
    ax.plot([0.5, 0.9], [0.2, 0.8], linestyle="none", marker="o", label="o")
    ax.text(0.5, 0.5, "Kaart 0123456789 – ha", style="italic", path_effects=TEXT_OUTLINE, fontsize=7)
    fig.text(0.1, 0.9, "Legenda 0123456789", fontweight="bold", fontsize=8)
    ax.legend(title="Legenda", fontsize=7)
    fig.canvas.draw()


def compile_templates() -> None:
    """Compile the templates every run renders (the writer helper does so while the allocation is solved)."""
    for name in RUN_TEMPLATES:
        report_template(name)
