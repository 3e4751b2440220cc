"""QGIS styles for the GeoPackage, as QML in the ``layer_styles`` table.

Each layer opens styled in QGIS: suitability graduated, exclusions, allocation by sector, and
the context layers in the colours of the PNG maps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from matplotlib import colormaps
from matplotlib.colors import to_rgba

QGIS_VERSION = "3.28.0"
LAYER_STYLES_DDL = """CREATE TABLE IF NOT EXISTS layer_styles (
 id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
 f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
 useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)"""


@dataclass(frozen=True)
class Symbol:
    """One QGIS symbol: ``kind`` fill, line or marker; colours as matplotlib colour strings."""

    kind: str
    colour: str
    outline: str = "#333333"
    width: float = 0.26
    shape: str = "circle"
    size: float = 2.4
    alpha: float = 1.0


def _rgba(colour: str, alpha: float = 1.0) -> str:
    r, g, b, a = to_rgba(colour)
    return f"{round(r * 255)},{round(g * 255)},{round(b * 255)},{round(a * alpha * 255)}"


def _options(symbol: Symbol) -> dict[str, str]:
    if symbol.kind == "fill":
        return {
            "color": _rgba(symbol.colour, symbol.alpha),
            "outline_color": _rgba(symbol.outline),
            "outline_width": f"{symbol.width}",
            "style": "solid" if symbol.alpha > 0 else "no",
        }
    if symbol.kind == "line":
        return {"line_color": _rgba(symbol.colour), "line_width": f"{symbol.width}", "line_style": "solid"}
    return {
        "color": _rgba(symbol.colour),
        "outline_color": _rgba(symbol.outline),
        "name": symbol.shape,
        "size": f"{symbol.size}",
    }


def symbol_xml(name: str, symbol: Symbol) -> str:
    """A ``<symbol>`` element of a QGIS renderer."""
    layer_class = {"fill": "SimpleFill", "line": "SimpleLine", "marker": "SimpleMarker"}[symbol.kind]
    options = "".join(f'<Option name="{k}" type="QString" value={quoteattr(v)}/>' for k, v in _options(symbol).items())
    return (
        f'<symbol type="{symbol.kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="{layer_class}" enabled="1" pass="0" locked="0">'
        f'<Option type="Map">{options}</Option></layer></symbol>'
    )


def _document(renderer: str) -> str:
    return (
        f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology">{renderer}</qgis>'
    )


def single_qml(symbol: Symbol) -> str:
    """A single-symbol style."""
    return _document(
        f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{symbol_xml('0', symbol)}</symbols></renderer-v2>"
    )


def categorized_qml(attribute: str, categories: Sequence[tuple[str, str, Symbol]]) -> str:
    """A style with one symbol per value of ``attribute``: ``(value, label, symbol)``."""
    cats = "".join(
        f'<category value={quoteattr(v)} symbol="{i}" label={quoteattr(label)} render="true"/>'
        for i, (v, label, _) in enumerate(categories)
    )
    symbols = "".join(symbol_xml(str(i), s) for i, (_, _, s) in enumerate(categories))
    return _document(
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} symbollevels="0" enableorderby="0" '
        f'forceraster="0"><categories>{cats}</categories><symbols>{symbols}</symbols></renderer-v2>'
    )


def graduated_qml(attribute: str, low: float, high: float, classes: int = 5, colormap: str = "viridis") -> str:
    """A graduated colour style of ``attribute`` in equal intervals from ``low`` to ``high``."""
    cmap = colormaps[colormap]
    step = (high - low) / classes if high > low else 1.0
    ranges, symbols = [], []
    for i in range(classes):
        lower, upper = low + i * step, low + (i + 1) * step
        ranges.append(
            f'<range lower="{lower:.6f}" upper="{upper:.6f}" symbol="{i}" '
            f'label="{lower:.3f} – {upper:.3f}" render="true"/>'
        )
        r, g, b, _ = cmap(i / max(classes - 1, 1))
        symbols.append(
            symbol_xml(str(i), Symbol("fill", f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"))
        )
    return _document(
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(attribute)} graduatedMethod="GraduatedColor" '
        f'symbollevels="0" enableorderby="0" forceraster="0"><ranges>{"".join(ranges)}</ranges>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
    )


def unsynced(path: Path) -> sqlite3.Connection:
    """A connection to the SQLite file ``path`` that does not wait for the disk after a commit.

    The GeoPackage is written into the run's staging folder and published with it by a rename,
    like every other output, and no output is synced to the disk; SQLite's default wait after
    every commit only made writing slow on a busy disk. The file's bytes are the same.
    """
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    return db


def write_layer_styles(path: Path, styles: Mapping[str, tuple[str, str]], stamp: str) -> None:
    """Store ``styles`` (layer → (style name, QML)) as default styles in the GeoPackage's ``layer_styles``."""
    with closing(unsynced(path)) as db, db:
        db.execute(LAYER_STYLES_DDL)
        db.execute("DELETE FROM layer_styles")
        for layer, (name, qml) in styles.items():
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,"
                " styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)"
                " VALUES ('', '', ?, 'geometry', ?, ?, '', 1, ?, '', '', ?)",
                (layer, name, qml, f"mca-sites style for {layer}", stamp),
            )
        db.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
            " VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?)",
            (stamp,),
        )
