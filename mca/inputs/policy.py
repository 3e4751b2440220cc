"""Read the policy table (one cited rule per row) and the optional grid-congestion table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mca.core.errors import DataError
from mca.core.paths import HEERLEN_DIR
from mca.inputs.tables import read_table
from solvers.policy_settings import CITATION_COLUMNS, POLICY_COLUMNS, RULE_KINDS

POLICY_CSV = HEERLEN_DIR / "policy.csv"
FIELD = "policy.table"


def load_policy(path: Path = POLICY_CSV) -> pd.DataFrame:
    """The rules of ``path`` as text columns (``POLICY_COLUMNS``), checked: ids, kinds, citations, values."""
    table = read_table(path, field=FIELD).fillna("")
    missing = [c for c in POLICY_COLUMNS if c not in table]
    if missing:
        raise DataError(f"missing column {missing[0]!r}", source=path, field=missing[0])
    table = table[list(POLICY_COLUMNS)].apply(lambda col: col.str.strip())
    duplicated = table["rule_id"].duplicated() | (table["rule_id"] == "")
    if duplicated.any():
        raise DataError(
            f"rule id {table.loc[duplicated, 'rule_id'].iloc[0]!r} is empty or not unique", source=path, field="rule_id"
        )
    for row in table.itertuples(index=False):
        _check_rule(row._asdict(), path)
    table.attrs["source"] = str(path)
    return table


def _check_rule(rule: dict[str, str], path: Path) -> None:
    """Raise DataError naming the rule and column when a kind is unknown, a citation empty or a value no number."""
    where = f"rule {rule['rule_id']!r}"
    if rule["kind"] not in RULE_KINDS:
        raise DataError(f"{where}: unknown kind {rule['kind']!r}", source=path, field="kind")
    for column in CITATION_COLUMNS:
        if not rule[column]:
            raise DataError(f"{where}: no citation ({column} is empty)", source=path, field=column)
    for part in filter(None, rule["value"].split(";")):
        try:
            float(part)
        except ValueError:
            raise DataError(f"{where}: value {part!r} is not a number", source=path, field="value") from None


def load_grid_congestion(path: Path) -> pd.DataFrame:
    """Parks with grid congestion: ``park_id, congested`` (bool) from a CSV."""
    table = read_table(path, field="policy.grid_congestion_table")
    for column in ("park_id", "congested"):
        if column not in table:
            raise DataError(f"missing column {column!r}", source=path, field=column)
    flags = table["congested"].str.strip().str.lower()
    bad = ~flags.isin(["true", "false", "1", "0", "yes", "no"])
    if bad.any():
        raise DataError(
            f"congested must be true or false, not {table.loc[bad, 'congested'].iloc[0]!r}",
            source=path,
            field="congested",
        )
    return pd.DataFrame({"park_id": table["park_id"].str.strip(), "congested": flags.isin(["true", "1", "yes"])})
