"""The errors of reading and writing data files: one message naming the file, and where known
the row and the column."""

from __future__ import annotations


class DataFileError(Exception):
    """A data file cannot be read or written as asked (unreadable, wrong format, a column
    missing or of the wrong kind). ``str()`` is one line: ``FILE: row N, column C: what``."""

    def __init__(self, path: str | None, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.path = path
        self.message = message
        self.row = row
        self.column = column
        where = [path or "<stdin>"] if path is not None else []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)

    def at(self, path: str) -> DataFileError:
        """This error, naming file ``path`` if it names none yet."""
        if self.path is not None:
            return self
        return DataFileError(path, self.message, row=self.row, column=self.column)

    def __reduce__(self) -> tuple:
        return (_rebuild, (self.path, self.message, self.row, self.column))


def _rebuild(path: str | None, message: str, row: int | None, column: str | None
             ) -> DataFileError:
    return DataFileError(path, message, row=row, column=column)


class RowError:
    """One row the engine refused or failed on: its 1-based ``row`` number in the input
    file, the spec's error ``code`` (None for input errors, which are not PFA runtime
    errors), the offending ``field`` (None when the document failed, not a value) and the
    ``message``."""

    __slots__ = ("row", "code", "field", "message", "kind")

    def __init__(self, row: int | None, message: str, *, code: int | None = None,
                 field: str | None = None, kind: str = "input") -> None:
        self.row = row
        self.code = code
        self.field = field
        self.message = message
        self.kind = kind

    def as_json(self) -> dict[str, object]:
        """The error-file record: ``{"row", "kind", "code", "field", "message"}``."""
        return {"row": self.row, "kind": self.kind, "code": self.code, "field": self.field,
                "message": self.message}

    def __repr__(self) -> str:
        return f"RowError({self.as_json()!r})"


def field_of(path: str | None) -> str | None:
    """The top-level field an input error's path names (``$.age[3]`` → ``age``)."""
    if not path or not path.startswith("$."):
        return None
    rest = path[2:]
    for i, c in enumerate(rest):
        if c in ".[":
            return rest[:i]
    return rest
