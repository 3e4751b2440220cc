"""Read the source figures of the demand forecast (``data/heerlen/demand_source.yaml``)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from demand import DemandSource
from mca.core.errors import DataError
from mca.core.paths import HEERLEN_DIR

DEMAND_SOURCE_PATH = HEERLEN_DIR / "demand_source.yaml"


def load_demand_source(path: Path | str = DEMAND_SOURCE_PATH) -> DemandSource:
    """Read and validate the demand source figures; problems raise ``DataError``."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read demand source figures: {exc}", source=path) from None
    try:
        return DemandSource.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataError(first["msg"], source=path, field=".".join(str(p) for p in first["loc"])) from None
