"""What the subcommands share: reading the model file they are given (JSON, YAML or
PrettyPFA, by extension or content), the ``--allow-files`` option, and printing text that
comes from a document or an input without letting it control the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pfa.terminal import printable

if TYPE_CHECKING:
    from pfa.document.ast import PfaDocument

MAX_MODEL_BYTES = 1 << 30
"""Largest model file a command reads (1 GiB)."""

def say(text: Any, file: TextIO | None = None) -> None:
    """Print one line of text that may hold document or input content, escaped."""
    print(printable(text), file=sys.stdout if file is None else file)


class UnreadableModel(Exception):
    """The model file cannot be read or does not hold a JSON/YAML object."""


def add_allow_files(parser: argparse.ArgumentParser) -> None:
    """The ``--allow-files DIR`` option of every command that builds an engine."""
    parser.add_argument(
        "--allow-files", action="append", default=[], metavar="DIR",
        help="let the document read external cell/pool initial values (\"source\": \"json\" "
             "or \"avro\") from files inside DIR (repeatable); without it such documents are "
             "refused")


def allow_list(args: argparse.Namespace) -> Any:
    """The ``FileAllowList`` of ``--allow-files`` (None without it); UnreadableModel if a DIR
    is not a directory."""
    from pfa.hostfiles import FileAllowList

    try:
        return FileAllowList.of(getattr(args, "allow_files", None) or None)
    except ValueError as exc:
        raise UnreadableModel(f"--allow-files: {str(exc).partition(': ')[2]}") from None


def read_text(path: str, what: str = "") -> str:
    """The UTF-8 text of file ``path`` (a regular file or a pipe, at most
    :data:`MAX_MODEL_BYTES`); :class:`UnreadableModel` otherwise."""
    from pfa.hostfiles import FileRefused, read_regular_file

    try:
        data = read_regular_file(path, MAX_MODEL_BYTES, allow_pipe=True)
    except FileRefused as exc:
        raise UnreadableModel(f"cannot read {what}{path}: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableModel(f"cannot read {what}{path}: it is not UTF-8 text (byte "
                              f"0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_model(path: str, text: str | None = None) -> tuple[str, Any, bool]:
    """The text of model file ``path``, its decoded object and whether it is YAML.

    ``.yaml``/``.yml`` files are YAML, ``.json``/``.pfa`` JSON; any other file is JSON if it
    parses, else YAML. Raises :class:`UnreadableModel` with a one-line message.
    """
    if text is None:
        text = read_text(path)
    suffix = Path(path).suffix.lower()
    as_yaml = suffix in (".yaml", ".yml")
    if not as_yaml:
        try:
            value: Any = json.loads(text)
        except RecursionError:
            raise UnreadableModel(f"{path} is nested too deeply to read") from None
        except json.JSONDecodeError as exc:
            if suffix in (".json", ".pfa"):
                raise UnreadableModel(f"{path} is not valid JSON: {exc}") from None
            as_yaml = True
        except ValueError:  # Python's int/str conversion limit
            raise UnreadableModel(f"{path}: an integer has more than "
                                  f"{sys.get_int_max_str_digits():,} digits") from None
    if as_yaml:
        import yaml

        from pfa.document.safe_yaml import YamlRefused, load_yaml

        try:
            value = load_yaml(text)
        except RecursionError:
            raise UnreadableModel(f"{path} is nested too deeply to read") from None
        except YamlRefused as exc:
            raise UnreadableModel(f"{path}: {exc}") from None
        except (yaml.YAMLError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else "syntax error"
            raise UnreadableModel(f"{path} is neither JSON nor YAML: {first}") from None
    if not isinstance(value, dict):
        raise UnreadableModel(f"{path} does not hold a PFA document (a JSON/YAML object), "
                              f"found {type(value).__name__}")
    return text, value, as_yaml


def load_document(path: str) -> PfaDocument:
    """Model file ``path`` read into a PfaDocument (PfaSyntaxError if it is not valid PFA).
    Every command reads its model through here, so all apply the same syntax checks.

    ``.ppfa``/``.pretty`` files are PrettyPFA, ``.yaml``/``.yml`` YAML, ``.json``/``.pfa``
    JSON; any other file is JSON if it parses, else PrettyPFA if it has PrettyPFA section
    headings and parses as PrettyPFA, else YAML."""
    from pfa.document.pretty import PRETTY_SUFFIXES, looks_like_pretty
    from pfa.document.reader import read, read_yaml

    suffix = Path(path).suffix.lower()
    if suffix in PRETTY_SUFFIXES:
        return _read_pretty(read_text(path))
    text = None
    if suffix not in (".json", ".pfa", ".yaml", ".yml"):
        text = read_text(path)
        if looks_like_pretty(text) and not _is_json(text):
            from pfa.errors import PfaSyntaxError

            try:
                return _read_pretty(text)
            except PfaSyntaxError as pretty_error:
                try:
                    text, _, as_yaml = read_model(path, text)
                except UnreadableModel:
                    raise pretty_error from None  # neither: the PrettyPFA error says more
                return read_yaml(text) if as_yaml else read(text)
    text, _, as_yaml = read_model(path, text)
    return read_yaml(text) if as_yaml else read(text)


def _read_pretty(text: str) -> PfaDocument:
    from pfa.document.pretty import read_pretty

    return read_pretty(text)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True
