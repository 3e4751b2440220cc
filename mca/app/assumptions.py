"""The assumptions table of a run: every labelled assumption and cited figure, in chain order."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel

import criteria
from demand.forecast import Forecast
from mca.app.scenario import Scenario
from mca.inputs.layers import schematic_layers
from mca.scoring.ranking import weight_set_name
from mca.scoring.valuetables import value_table_rows
from mca.scoring.weights import resolve_weights


def assumptions_table(
    scenario: Scenario, fc: Forecast, evaluation: criteria.Evaluation, criteria_names: list[str], layers: dict
) -> pd.DataFrame:
    """Every labelled assumption and cited source figure that the run used, in the order of the chain."""
    rows = [{"item": "1 demand", "value": note, "basis": "assumption"} for note in fc.assumptions]
    rows += [{"item": "1 demand: source", "value": str(src), "basis": "source"} for src in fc.sources]
    rows += _described_fields("2 candidates", scenario.candidates)
    for name, row in evaluation.meta.iterrows():
        rows.append({"item": f"3 criterion {name}", "value": str(row["params"]), "basis": row["description"]})
    scoring = scenario.scoring
    tables = {
        c: scoring.value_tables[c]
        for c in criteria_names
        if c in scoring.value_tables and c not in scoring.value_functions
    }
    for row in value_table_rows(tables).itertuples():
        where = f" ({row.sector})" if row.sector else ""
        rows.append(
            {
                "item": f"4 value table {row.criterion}{where}: {row.category}",
                "value": f"{row.value:g}",
                "basis": row.basis,
            }
        )
    for name in sorted({weight_set_name(scoring, None, None), *scoring.sector_weight_sets.values()}):
        weight_set = scoring.weight_sets[name]
        weights = resolve_weights(weight_set, criteria_names).weights
        rows.append(
            {
                "item": f"4 weight set {name}",
                "value": ", ".join(f"{c} {w:.3f}" for c, w in weights.items()),
                "basis": weight_set.description or "assumption",
            }
        )
    rows += _described_fields("5 allocation", scenario.allocation)
    for sector in scenario.sectors:
        rows.append(
            {
                "item": f"6 sector {sector.id}",
                "value": (
                    f"emission class {sector.emission_class}, {sector.truck_trips_per_ha_day:g} truck trips/ha/day, "
                    f"minimum environmental category {sector.min_env_category:g}"
                ),
                "basis": f"assumption: {sector.assumption}",
            }
        )
    if schematic_layers(layers):
        rows.append(
            {
                "item": "7 layers",
                "value": ", ".join(schematic_layers(layers)),
                "basis": "assumption: schematic demonstration geometry, not real boundaries",
            }
        )
    return pd.DataFrame(rows, columns=["item", "value", "basis"])


def _described_fields(stage: str, model: BaseModel) -> list[dict[str, str]]:
    """Scalar fields of a settings model with their values and their documented basis."""
    rows = []
    for name, info in type(model).model_fields.items():
        description = info.description or "setting"
        basis = description if "assumption" not in description.lower() else f"assumption: {description}"
        rows.append({"item": f"{stage}: {name}", "value": str(getattr(model, name)), "basis": basis})
    return rows
