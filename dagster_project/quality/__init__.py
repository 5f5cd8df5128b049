"""Quality gates: reviewed GX suites run on the warehouse's tables, as blocking Dagster checks.

- ``suites``: the suite files, their versions and hashes, and the verdict rule.
- ``suite_sql``: a suite's expectations compiled into SQL aggregates with GX's meaning.
- ``gx_validation``: one suite on one period of one table, in the warehouse, sanitized evidence.
- ``checks``: the blocking ``@asset_check`` factory that wires them into Dagster.

``great_expectations`` is not imported by any of them: the suites keep GX's file format and
GX's results, and GX itself runs only in the tests, as the reference (tests/gx_reference.py).
"""
