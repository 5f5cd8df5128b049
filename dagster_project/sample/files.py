"""Writing the landing files: each source system's CSV dialect, spelled out once.

The readers are tested against these quirks (BOM or not, quoting, line ends, encoding), so a
dialect is a named value rather than four arguments repeated at every call.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CsvDialect:
    """How one source system writes its CSV files."""

    delimiter: str = ","
    quote_all: bool = False
    line_end: str = "\n"
    encoding: str = "utf-8"
    bom: bool = False


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], dialect: CsvDialect
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=dialect.delimiter,
        lineterminator=dialect.line_end,
        quoting=csv.QUOTE_ALL if dialect.quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows([header, *rows])
    data = buffer.getvalue().encode(dialect.encoding)
    write_file(path, UTF8_BOM + data if dialect.bom else data)
