"""Quality gates: reviewed GX suites run on the raw tables, as blocking Dagster asset checks.

- ``suites``: the suite files, their versions and hashes, and the verdict rule (no GX).
- ``gx_validation``: one suite on one period of one raw table, with GX, sanitized evidence.
- ``checks``: the blocking ``@asset_check`` factory that wires both into Dagster.

Nothing is imported here on purpose: ``great_expectations`` costs seconds to import and is
loaded only inside ``gx_validation``'s functions, when a validation actually runs.
"""
