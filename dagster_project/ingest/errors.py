"""The one error a source file can raise: it names the file and what is wrong with it."""

from __future__ import annotations


class SourceFileError(Exception):
    """A source file is missing, empty, unreadable or not of its documented shape.

    The message always starts with the file (relative to the landing root) so that the
    person who receives it knows which export to ask for again, and never quotes a cell
    value (values may be personal data; messages reach logs).
    """

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem
