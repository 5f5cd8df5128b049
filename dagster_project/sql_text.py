"""How a name or a text goes into SQL that Python writes.

Statements such as ``COPY ... TO '<path>'``, ``SET memory_limit = '<size>'`` or ``ATTACH``
take no bound parameters, and the typing and gate queries name columns from the source
contracts and suites: one quoting rule for each, so that a quote in a path or a column name
means the same everywhere.
"""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """A column, table or schema name as a quoted SQL identifier (a ``"`` in it doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(text: str) -> str:
    """A text as a SQL string literal (a ``'`` in it doubled)."""
    return "'" + text.replace("'", "''") + "'"
