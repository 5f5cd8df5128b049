"""Salesforce record ids that look and sort like real ones.

The readers and dbt models match records by these ids, so they have the real shape: 18
characters, a 3-character key prefix (001 Account, 005 User, 006 Opportunity, 00T Task,
04t OpportunitySplit), and the case-safe checksum suffix.
"""

from __future__ import annotations

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_POD = "8d0"
ID_SERIAL_OFFSET = 3_500_000
ID_SERIAL_STRIDE = 7_919
UNKNOWN_USER_SERIAL = 9_000_000  # a deleted user: its id is in no User.csv


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    if number:
        raise ValueError("id serial overflow")
    return "".join(reversed(digits))


def salesforce_id(prefix: str, serial: int) -> str:
    """An 18-character case-safe Salesforce id: 15 characters plus the 3-character checksum.

    Base-62 digits sort in ASCII order, so ids sort in creation order like real ones.
    """
    id15 = prefix + ID_POD + _base62(ID_SERIAL_OFFSET + serial * ID_SERIAL_STRIDE, 9)
    suffix = ""
    for chunk in range(3):
        flags = sum(1 << i for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]) if ch.isupper())
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[flags]
    return id15 + suffix


class IdFactory:
    """Sequential Salesforce ids per key prefix (001 Account, 005 User, 006 Opportunity...)."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        serial = self._next.get(prefix, 0)
        self._next[prefix] = serial + 1
        return salesforce_id(prefix, serial)
