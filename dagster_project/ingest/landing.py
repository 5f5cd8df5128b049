"""The landing zone: which periods have drops, and whether a drop is complete.

Kept free of Dagster imports: the CLI refuses an incomplete drop before loading anything.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..settings import PERIOD_PATTERN
from .contracts import SOURCES, files_of_period

SYSTEMS = tuple(dict.fromkeys(source.system for source in SOURCES))


def drop_periods(landing: Path) -> list[str]:
    """Periods that have at least one file in the landing zone, in calendar order."""
    periods = set()
    for system in SYSTEMS:
        folder = landing / system
        if folder.is_dir():
            periods.update(p.name for p in folder.iterdir() if PERIOD_PATTERN.fullmatch(p.name))
    return sorted(periods)


def missing_files(landing: Path, period: str) -> list[str]:
    """The files of the period's drop that are not in the landing zone (yet)."""
    return [rel for rel, path in files_of_period(landing, period).items() if not path.is_file()]


def drop_fingerprint(landing: Path, period: str) -> str:
    """Names, sizes and modification times of the drop's files: changes when a file does."""
    digest = hashlib.sha256()
    for rel, path in sorted(files_of_period(landing, period).items()):
        stat = path.stat()
        digest.update(f"{rel}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]
