"""The Heerlen park dataset: loading ``data/heerlen/parks.csv`` and checking it against itself.

The figures are transcribed from 001 (Bedrijventerreinenvisie Heerlen): the Kerncijfers table
(Bijlage 2), Tabel 4, Tabel 6, the profile table (§3.3) and Tabellen 1-3; see
``data/heerlen/fields.csv`` for the citation of every column and ``data/heerlen/PROVENANCE.md``
for the choices made where the source tables disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import numpy as np
import pandas as pd

from mca.core.errors import DataError
from mca.core.paths import HEERLEN_DIR
from mca.core.vocabulary import PROFILES

PARKS_CSV = HEERLEN_DIR / "parks.csv"

CLUSTERS: tuple[str, ...] = ("north", "east", "south", "solitary")
"""001 §2.1: three clusters of adjoining parks; the rest lie on their own."""
NET_ISSUED_CHOICES: tuple[str, ...] = ("kerncijfers", "tabel4")

TABEL4_TOTAL_HA = 342.8
"""001, Tabel 4: 'Totaal' of net issued area (REBIS 31-12-2023)."""
TABEL6_AVAILABLE_TOTAL_HA = 22.7
"""001, Tabel 6: immediately available land, Gemeente Heerlen, 31-12-2023."""
TABEL6_OPTION_TOTAL_HA = 8.0
"""001, Tabel 6: part of the available land under option, Gemeente Heerlen, 31-12-2023."""
AREA_ROUNDING_HA = 0.05
"""Half the printed precision of the area tables (001 rounds to one decimal, Tabel 4 note)."""

TEXT_COLUMNS: tuple[str, ...] = ("name", "profile_label", "strategy", "strategy_source")
CATEGORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "cluster": CLUSTERS,
    "profile": PROFILES,
    "net_issued_ha_choice": NET_ISSUED_CHOICES,
}
FLOAT_COLUMNS: tuple[str, ...] = (
    "gross_ha",
    "net_ha",
    "net_issued_ha_kerncijfers",
    "jobs_per_ha",
    "jobs_per_ha_growth_2019_2023",
    "vacancy_q1_2024",
    "fsi",
    "net_issued_ha_tabel4",
    "net_issued_ha",
    "available_ha",
    "available_under_option_ha",
)
INTEGER_COLUMNS: tuple[str, ...] = ("jobs_2023", "mean_building_year")
BOOL_COLUMNS: tuple[str, ...] = ("no_new_logistics", "reserve_env_space", "intensify", "transform_allowed")
OPTIONAL_FLOAT_COLUMNS: tuple[str, ...] = ("max_env_category",)
NON_NEGATIVE_COLUMNS: tuple[str, ...] = (
    "gross_ha",
    "net_ha",
    "net_issued_ha_kerncijfers",
    "net_issued_ha_tabel4",
    "net_issued_ha",
    "available_ha",
    "available_under_option_ha",
    "jobs_2023",
    "jobs_per_ha",
    "vacancy_q1_2024",
    "fsi",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "park_id",
    *TEXT_COLUMNS,
    *CATEGORY_COLUMNS,
    *FLOAT_COLUMNS,
    *INTEGER_COLUMNS,
    *BOOL_COLUMNS,
    *OPTIONAL_FLOAT_COLUMNS,
)

_CHOICE_COLUMN = {"kerncijfers": "net_issued_ha_kerncijfers", "tabel4": "net_issued_ha_tabel4"}
_TABLE_LABEL = {"kerncijfers": "Kerncijfers", "tabel4": "Tabel 4"}
_BOOL_VALUES = {"true": True, "false": False}


def load_parks(path: Path | None = None) -> pd.DataFrame:
    """Read and validate the park table (default ``data/heerlen/parks.csv``), indexed by ``park_id``.

    Raises ``DataError`` naming the file and column for a missing file, a missing column, an
    empty, non-numeric or non-finite value, an unknown category or boolean, a value out of its
    range, or a duplicate ``park_id``.
    """
    path = PARKS_CSV if path is None else Path(path)
    parks = _read_park_table(path)
    for column in TEXT_COLUMNS:
        _require_values(parks[column], path)
    for column, allowed in CATEGORY_COLUMNS.items():
        _refuse(
            parks[column],
            ~parks[column].isin(allowed),
            "value {value!r} for park {park} is not one of " + ", ".join(allowed),
            path,
        )
    for column in FLOAT_COLUMNS:
        parks[column] = _numeric(parks[column], path, optional=False)
    for column in OPTIONAL_FLOAT_COLUMNS:
        parks[column] = _numeric(parks[column], path, optional=True)
    for column in INTEGER_COLUMNS:
        values = _numeric(parks[column], path, optional=False)
        _refuse(values, values != values.round(), "value {value} for park {park} is not a whole number", path)
        parks[column] = values.astype("int64")
    for column in BOOL_COLUMNS:
        lowered = parks[column].str.lower()
        _refuse(
            parks[column], ~lowered.isin(_BOOL_VALUES), "value {value!r} for park {park} is not true or false", path
        )
        parks[column] = lowered.map(_BOOL_VALUES).astype(bool)
    for column in NON_NEGATIVE_COLUMNS:
        _refuse(parks[column], parks[column] < 0, "negative value {value} for park {park}", path)
    category = parks["max_env_category"]
    _refuse(
        category, (category < 1) | (category > 6), "value {value} for park {park} is outside the VNG scale 1-6", path
    )
    return parks


def _read_park_table(path: Path) -> pd.DataFrame:
    """The park CSV as stripped text, indexed by a present, unique ``park_id``."""
    if not path.is_file():
        raise DataError("file not found", source=path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read CSV: {' '.join(str(exc).split())}", source=path) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"missing column(s): {', '.join(missing)}", source=path, field=missing[0])
    raw = raw.apply(lambda col: col.str.strip())
    ids = raw["park_id"]
    if (ids == "").any():
        raise DataError("empty park_id", source=path, field="park_id")
    duplicated = sorted(set(ids[ids.duplicated()]))
    if duplicated:
        raise DataError(f"duplicate park_id: {', '.join(duplicated)}", source=path, field="park_id")
    return raw.set_index("park_id")


def _refuse(column: pd.Series, bad: pd.Series, message: str, path: Path) -> None:
    """A DataError for the first park whose value in ``column`` is ``bad``, if any.

    ``message`` is a format string with ``{value}`` and ``{park}``; the error names the file
    and the column.
    """
    hits = column[bad]
    if not hits.empty:
        value = hits.iloc[0]
        value = value.item() if isinstance(value, np.generic) else value
        raise DataError(message.format(value=value, park=hits.index[0]), source=path, field=str(column.name))


def _require_values(column: pd.Series, path: Path) -> None:
    _refuse(column, column == "", "missing value for park {park}", path)


def _numeric(column: pd.Series, path: Path, *, optional: bool) -> pd.Series:
    if not optional:
        _require_values(column, path)
    values = pd.to_numeric(column.replace("", None), errors="coerce").astype("float64")
    _refuse(column, values.isna() & (column != ""), "non-numeric value {value!r} for park {park}", path)
    _refuse(column, np.isinf(values), "value {value} for park {park} is not a finite number", path)
    return values


@dataclass(frozen=True)
class Disagreement:
    """A figure in the dataset that disagrees with another source table or with itself."""

    park_id: str
    """The park, or ``"*"`` for a check on a table total."""
    name: str
    field: str
    values: dict[str, float] = dataclass_field(hash=False)
    """The figures compared: table or quantity name → value."""
    note: str


def check_data(parks: pd.DataFrame | None = None, tolerance: float = 0.05) -> list[Disagreement]:
    """Report where the park figures disagree between the source tables or with each other.

    Checks: net issued area Tabel 4 vs Kerncijfers; ``net_issued_ha`` equals the chosen table;
    net ≤ gross; issued ≤ net (both tables); option ≤ available ≤ net − issued (both tables);
    the printed jobs/ha against jobs / Kerncijfers net issued area; the Tabel 4 and Tabel 6
    column sums against the printed totals; the figures 001's text states against its tables
    and the other source texts (:func:`text_disagreements`). Areas are compared at the tables' printed precision
    (0.1 ha, so ±0.05 ha per figure); ``tolerance`` is the relative tolerance for comparing the
    printed jobs/ha with a computed ratio. Nothing is raised: every finding is returned.
    """
    parks = load_parks() if parks is None else parks
    findings: list[Disagreement] = []
    for park_id, row in parks.iterrows():
        findings.extend(_park_disagreements(str(park_id), row, tolerance))
    findings.extend(_total_disagreements(parks))
    findings.extend(text_disagreements(parks))
    return findings


def _exceeds(value: float, limit: float, rounded_figures: int) -> bool:
    """Whether ``value`` exceeds ``limit`` by more than the rounding of the figures involved."""
    return value - limit > AREA_ROUNDING_HA * rounded_figures + 1e-9


def _park_disagreements(park_id: str, row: pd.Series, tolerance: float) -> list[Disagreement]:
    name = str(row["name"])
    found: list[Disagreement] = []

    def report(field_name: str, values: dict[str, float], note: str) -> None:
        found.append(Disagreement(park_id, name, field_name, {k: round(float(v), 2) for k, v in values.items()}, note))

    kerncijfers, tabel4 = row["net_issued_ha_kerncijfers"], row["net_issued_ha_tabel4"]
    if abs(kerncijfers - tabel4) > AREA_ROUNDING_HA:
        report(
            "net_issued_ha",
            {"Tabel 4": tabel4, "Kerncijfers": kerncijfers},
            f"net issued area differs by {abs(kerncijfers - tabel4):.1f} ha; the project uses "
            f"{_TABLE_LABEL[row['net_issued_ha_choice']]} ({row['net_issued_ha']:.1f} ha)",
        )
    chosen = row[_CHOICE_COLUMN[row["net_issued_ha_choice"]]]
    if abs(row["net_issued_ha"] - chosen) > 1e-9:
        report(
            "net_issued_ha_choice",
            {"net_issued_ha": row["net_issued_ha"], _TABLE_LABEL[row["net_issued_ha_choice"]]: chosen},
            "net_issued_ha is not the figure of the table named in net_issued_ha_choice",
        )

    if _exceeds(row["net_ha"], row["gross_ha"], 2):
        report(
            "net_ha",
            {"Kerncijfers net": row["net_ha"], "Kerncijfers gross": row["gross_ha"]},
            "net area exceeds gross area",
        )

    _issued_against_net_area(row, report)

    if _exceeds(row["available_under_option_ha"], row["available_ha"], 2):
        report(
            "available_under_option_ha",
            {"Tabel 6 under option": row["available_under_option_ha"], "Tabel 6 available": row["available_ha"]},
            "land under option exceeds the available land",
        )

    found.extend(_jobs_per_ha_disagreement(park_id, name, row, tolerance))
    return found


def _issued_against_net_area(row: pd.Series, report: Callable[[str, dict[str, float], str], None]) -> None:
    """Report, per source table, issued area above the net area or availability above the rest."""
    for table, column in _CHOICE_COLUMN.items():
        label = _TABLE_LABEL[table]
        issued = row[column]
        if _exceeds(issued, row["net_ha"], 2):
            report(
                column,
                {f"{label} net issued": issued, "Kerncijfers net": row["net_ha"]},
                f"{label} net issued area exceeds the net area",
            )
            continue
        unissued = row["net_ha"] - issued
        if _exceeds(row["available_ha"], unissued, 3):
            report(
                "available_ha",
                {
                    "Tabel 6 available": row["available_ha"],
                    "Kerncijfers net": row["net_ha"],
                    f"{label} net issued": issued,
                },
                f"available land exceeds net − {label} net issued ({unissued:.1f} ha)",
            )


def _jobs_per_ha_disagreement(park_id: str, name: str, row: pd.Series, tolerance: float) -> list[Disagreement]:
    """Compare the printed jobs/ha with jobs divided by each candidate area."""
    printed = row["jobs_per_ha"]
    areas = {
        "Kerncijfers net issued": row["net_issued_ha_kerncijfers"],
        "Tabel 4 net issued": row["net_issued_ha_tabel4"],
        "Kerncijfers net": row["net_ha"],
    }
    implied = {label: row["jobs_2023"] / area for label, area in areas.items() if area > 0}
    matches = [label for label, ratio in implied.items() if abs(ratio - printed) <= tolerance * printed]
    if "Kerncijfers net issued" in matches:
        return []
    if matches:
        matched = " or ".join(f"jobs / {label} area ({abs(implied[label] / printed - 1):.1%} off)" for label in matches)
        note = f"printed jobs/ha matches {matched}, not the Kerncijfers net issued area"
    else:
        note = f"printed jobs/ha matches jobs divided by none of the areas within {tolerance:.0%}"
    values = {"Kerncijfers jobs/ha": printed, **{f"jobs / {label}": ratio for label, ratio in implied.items()}}
    return [Disagreement(park_id, name, "jobs_per_ha", {k: round(float(v), 1) for k, v in values.items()}, note)]


def _total_disagreements(parks: pd.DataFrame) -> list[Disagreement]:
    checks = (
        ("net_issued_ha_tabel4", "Tabel 4", TABEL4_TOTAL_HA),
        ("available_ha", "Tabel 6", TABEL6_AVAILABLE_TOTAL_HA),
        ("available_under_option_ha", "Tabel 6", TABEL6_OPTION_TOTAL_HA),
    )
    found = []
    for column, table, printed in checks:
        total = float(parks[column].sum())
        if abs(total - printed) > AREA_ROUNDING_HA * len(parks) + 1e-9:
            found.append(
                Disagreement(
                    "*",
                    "total",
                    column,
                    {"sum of rows": round(total, 2), f"{table} total": printed},
                    f"the rows sum to {total:.1f} ha, more than rounding away from the printed {table} total",
                )
            )
    return found


def format_disagreements(items: Iterable[Disagreement]) -> str:
    """One line per disagreement: park, field, the figures compared and the note."""
    lines = []
    for item in items:
        figures = ", ".join(f"{label} = {value:g}" for label, value in item.values.items())
        who = item.name if item.park_id == "*" else f"{item.name} ({item.park_id})"
        lines.append(f"{who}: {item.field}: {figures} — {item.note}")
    return "\n".join(lines) if lines else "no disagreements found"


TEXT_VACANCY: dict[str, tuple[float, str]] = {
    "c-mill": (0.28, "'C-Mill heeft daarentegen een uitzonderlijk hoge leegstand van circa 28%'"),
    "avantis": (
        0.065,
        "'Alleen Avantis (6,5%), Smitzerveld (6%) en De Beitel (6%) schommelen rond het zogeheten frictieniveau'",
    ),
    "smitzerveld": (
        0.06,
        "'Alleen Avantis (6,5%), Smitzerveld (6%) en De Beitel (6%) schommelen rond het zogeheten frictieniveau'",
    ),
    "beitel": (
        0.06,
        "'Alleen Avantis (6,5%), Smitzerveld (6%) en De Beitel (6%) schommelen rond het zogeheten frictieniveau'",
    ),
}
"""Vacancy figures 001's text (§2.2, line ~2507-2513) states per park, with the sentence."""
LOW_VACANCY_MAX = 0.02
"""001 §2.2: 'laag tot nihil (0%-2%)'."""
UNPLACED_NET_AREA_HA = 1.0
"""Net area neither issued nor available above which a park is reported (assumption: rounding is far below)."""


def text_disagreements(parks: pd.DataFrame) -> list[Disagreement]:
    """Where 001's text disagrees with its Kerncijfers table, and net area that is neither issued nor available."""
    found = []
    for park_id, (stated, quote) in TEXT_VACANCY.items():
        if park_id in parks.index and abs(float(parks.at[park_id, "vacancy_q1_2024"]) - stated) > 1e-9:
            table = float(parks.at[park_id, "vacancy_q1_2024"])
            values = {"Kerncijfers vacancy": table, "001 §2.2 text": stated}
            found.append(
                Disagreement(
                    park_id,
                    str(parks.at[park_id, "name"]),
                    "vacancy_q1_2024",
                    values,
                    f"the text says {quote} (001 line ~2511); the table is used",
                )
            )
    low = int((parks["vacancy_q1_2024"] <= LOW_VACANCY_MAX + 1e-9).sum())
    if low <= 0.75 * len(parks):
        found.append(
            Disagreement(
                "*",
                "parks",
                "vacancy_q1_2024",
                {"parks at 0-2 %": low, "parks": len(parks)},
                "001 §2.2 (line ~2507): 'de leegstand op meer dan drie kwart van de terreinen in "
                "Heerlen laag tot nihil (0%-2%)'; the Kerncijfers table has fewer",
            )
        )
    for park_id, row in parks.iterrows():
        rest = float(row["net_ha"]) - float(row["net_issued_ha"]) - float(row["available_ha"])
        if rest > UNPLACED_NET_AREA_HA:
            values = {
                "net": float(row["net_ha"]),
                "issued": float(row["net_issued_ha"]),
                "available": float(row["available_ha"]),
                "neither": round(rest, 2),
            }
            found.append(
                Disagreement(
                    str(park_id),
                    str(row["name"]),
                    "net_area_unplaced",
                    values,
                    "net area neither issued nor available (Kerncijfers, Tabel 4, Tabel 6): "
                    "not counted as supply anywhere",
                )
            )
    return found + document_disagreements()


def document_disagreements() -> list[Disagreement]:
    """Figures the source texts state in two ways, or that a later source supersedes."""
    from mca.inputs.demand_source import load_demand_source

    tabel_7 = load_demand_source().tabel_7
    issued = tabel_7.total(None, *tabel_7.printed_total_years)
    return [
        Disagreement(
            "*",
            "001 Bijlage 3",
            "method_1",
            {
                "printed low": 40,
                "printed high": 50,
                "computed low": round(issued * 0.7, 1),
                "computed high": round(issued * 0.9, 1),
            },
            "Methode 1 prints 'circa 40 tot 50 hectare' (line ~3269); 57.17 ha x (1 - 30 %) to "
            "x (1 - 10 %) gives 40.0 to 51.5 ha",
        ),
        Disagreement(
            "*",
            "001 Bijlage 3",
            "forecast_period",
            {"Methode 1 first year": 2021, "vraagraming first year": 2022},
            "the forecast period is '2021 t/m 2030' for Methode 1 (line ~3269) and '2022 t/m 2031' "
            "for the vraagraming (line ~3171); the supply netting uses 2022",
        ),
        Disagreement(
            "*",
            "003 Structuurvisie",
            "supply_sufficient_until",
            {
                "003: supply suffices until": 2035,
                "001: Parkstad demand 2022-2030 low (ha)": 50,
                "001: available 31-12-2021 (ha)": 55.9,
            },
            "003 (line ~1446): 'Het bestaande aanbod biedt tot 2035 voldoende mogelijkheden' is "
            "superseded by 001: the regional demand of 50-70 ha exceeds the 55.9 ha available",
        ),
    ]
