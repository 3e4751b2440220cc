"""The one timestamp the outputs carry, fixed so that a rerun on the same inputs is byte-identical.

It is ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the newest
modification time of the run's input files: the moment the data were last changed, not the
moment the run happened. Wall-clock times go to ``timings.json`` only.
"""

from __future__ import annotations

import os
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from mca.app.results import RunResult

EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"
CORE_PROPERTIES = "docProps/core.xml"
CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
ZIP_MIN_YEAR = 1980
"""ZIP archives (an .xlsx is one) cannot hold an earlier date."""


def output_time(result: RunResult) -> tuple[datetime, str]:
    """The outputs' timestamp (UTC, whole seconds) and what it is based on."""
    epoch = os.environ.get(EPOCH_VARIABLE, "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC), EPOCH_VARIABLE
    times = [Path(p).stat().st_mtime for p in result.input_files if Path(p).is_file()]
    if not times:
        return datetime(ZIP_MIN_YEAR, 1, 1, tzinfo=UTC), "fixed (no input files)"
    return datetime.fromtimestamp(int(max(times)), UTC), "newest input file"


def fix_workbook_dates(path: Path, when: datetime) -> None:
    """Date the .xlsx archive ``path`` ``when``: its entries and its document properties.

    openpyxl stamps the modification property with the wall-clock time when it saves, so the
    property is rewritten here, in ``docProps/core.xml``; entries keep their order.
    """
    stamp = max(when, datetime(ZIP_MIN_YEAR, 1, 1, tzinfo=UTC)).timetuple()[:6]
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    entries = [
        (info, CORE_DATES.sub(rb"\g<1>" + iso + rb"\g<2>", data) if info.filename == CORE_PROPERTIES else data)
        for info, data in entries
    ]
    rewritten = path.with_name(f".{path.name}.zip-tmp")
    with zipfile.ZipFile(rewritten, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    rewritten.replace(path)
