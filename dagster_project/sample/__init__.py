"""The bundled sample landing zone and its deterministic generator.

``landing/`` is committed so that the pipeline, its tests and a new developer's first run
all have realistic monthly drops without access to the real systems; ``generate`` rebuilds
it byte for byte (see ``SCENARIOS.md`` for the edge cases it deliberately contains).
"""
