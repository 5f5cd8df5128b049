"""Replacing a file so that a reader sees the old version or the new one, never half.

The text is written to a temporary name beside the target (same folder, same file system)
and renamed over it: ``os.replace`` is atomic. Used for every page and record perfgov
rewrites in place (statements, action lists, the auditor pack, run records).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def replace_text(target: Path, text: str, mode: int | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``target`` in one rename; ``mode`` sets its permissions
    (else the process's umask decides). A failed write leaves no temporary file."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        if mode is not None:
            tmp.chmod(mode)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
