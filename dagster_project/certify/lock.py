"""One close at a time per home: an OS file lock on ``<home>/close.lock``.

The lock is ``flock(LOCK_EX | LOCK_NB)`` on a file that is never deleted. The kernel holds it
for the open file, not for the file's content, and drops it when the process ends however it
ends (exit, exception, SIGKILL, out of memory): a crashed close leaves no lock behind, so
there is no stale-lock detection to get wrong and nothing for a person to remove.

The holder writes its pid, period and start time into the file, only so that a close that
is refused can say who holds the lock; the content is never trusted to decide anything. If
the file still names a process when the lock is free, that close died without releasing it
(the kernel released it); the next holder simply overwrites the line.

Why not delete the file on release: with flock, deleting a lock file lets two processes
hold "the" lock at once (one on the old inode, one on a new file at the same path).

Caveats: flock is advisory and per host; it is reliable on local file systems, not on every
network file system. The lock is not inherited by the close's dbt subprocess: if the close's
own process alone is killed, its dbt may run on for a few seconds; a close started then is
refused by DuckDB's lock on the warehouse (``warehouse_in_use`` names that process). Runs
launched by Dagster itself (``dagster dev``: UI, sensor, schedule) do not go through
``perfgov close`` and do not take this lock; DuckDB's lock only stops two processes writing
the warehouse at the same instant, not two runs interleaving their steps.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "close.lock"


class LockHeld(Exception):
    """Another process holds the close lock of this home; the message is one line."""


def _holder(fd: int) -> dict:
    """What the holder wrote into the lock file (it writes just after locking: wait a bit)."""
    for _ in range(20):
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, 4096)
        if raw.strip():
            try:
                return json.loads(raw)
            except ValueError:  # being written at this very moment
                pass
        time.sleep(0.05)
    return {}


def holder_message(holder: dict, home: Path) -> str:
    return (
        f"another close is running on this home {home} (pid {holder.get('pid', '?')}, "
        f"period {holder.get('period', '?')}, since {holder.get('since', '?')}); "
        "nothing changed: try again when it has finished"
    )


@contextmanager
def close_lock(home: Path, period: str) -> Iterator[dict]:
    """Hold the close lock of ``home`` for the duration of the block, or raise ``LockHeld``.

    Never waits: a second close fails at once. Yields what the previous holder left in the
    file when it did not release the lock itself (a crashed close), else an empty dict.
    """
    home.mkdir(parents=True, exist_ok=True)
    # O_CLOEXEC: subprocesses (dbt) do not inherit the descriptor. No O_TRUNC: a close
    # that is refused must not erase the holder's line.
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(holder_message(_holder(fd), home)) from None
        crashed = _holder_now(fd)
        line = json.dumps(
            {
                "pid": os.getpid(),
                "period": period,
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            }
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, (line + "\n").encode(), 0)
        try:
            yield crashed
        finally:
            os.ftruncate(fd, 0)  # released cleanly: the file names nobody
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder_now(fd: int) -> dict:
    """The line left by a holder that died without releasing (read once, no waiting)."""
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096)
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}


_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (\S+) \(PID (\d+)\)")


def warehouse_in_use(error: Exception) -> str | None:
    """The process holding DuckDB's own lock on the warehouse, if that is what ``error`` is."""
    message = str(error)
    if "Could not set lock on file" not in message:
        return None
    found = _DUCKDB_HOLDER.search(message)
    return f"pid {found.group(2)}, {Path(found.group(1)).name}" if found else "pid unknown"
