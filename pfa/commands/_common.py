"""Reading the PFA model file a subcommand is given (JSON or YAML, by extension or content)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pfa.document.ast import PfaDocument


class UnreadableModel(Exception):
    """The model file cannot be read or does not hold a JSON/YAML object."""


def read_model(path: str) -> tuple[str, Any, bool]:
    """The text of model file ``path``, its decoded object and whether it is YAML.

    ``.yaml``/``.yml`` files are YAML, ``.json``/``.pfa`` JSON; any other file is JSON if it
    parses, else YAML. Raises :class:`UnreadableModel` with a one-line message.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UnreadableModel(f"cannot read {path}: {reason}") from None
    suffix = p.suffix.lower()
    as_yaml = suffix in (".yaml", ".yml")
    if not as_yaml:
        try:
            value: Any = json.loads(text)
        except RecursionError:
            raise UnreadableModel(f"{path} is nested too deeply to read") from None
        except ValueError as exc:
            if suffix in (".json", ".pfa"):
                raise UnreadableModel(f"{path} is not valid JSON: {exc}") from None
            as_yaml = True
    if as_yaml:
        import yaml

        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else "syntax error"
            raise UnreadableModel(f"{path} is neither JSON nor YAML: {first}") from None
    if not isinstance(value, dict):
        raise UnreadableModel(f"{path} does not hold a PFA document (a JSON/YAML object), "
                              f"found {type(value).__name__}")
    return text, value, as_yaml


def load_document(path: str) -> PfaDocument:
    """Model file ``path`` read into a PfaDocument (PfaSyntaxError if it is not valid PFA)."""
    from pfa.document.reader import read, read_yaml

    text, _, as_yaml = read_model(path)
    return read_yaml(text) if as_yaml else read(text)
