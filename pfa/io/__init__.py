"""Data files for batch scoring: readers and writers of CSV/TSV, Parquet, JSON lines, Avro
container files and Arrow IPC, found through a registry (:mod:`pfa.io.registry`; one module
per format in :mod:`pfa.io.formats`), and the streaming scorer (:mod:`pfa.io.scoring`, which
reads and writes in background threads beside the scoring: :mod:`pfa.io.pipeline`) that
``pfa score`` runs and that a server or a Spark task can reuse: batches of bounded size go
through ``Engine.action_batch``, refused or failing rows become :class:`RowError` reports,
outputs are Arrow tables whose schema follows the document's output type
(:mod:`pfa.io.schema`; flat formats by :mod:`pfa.io.flat`).

This package sits above the engine: it uses ``Engine``'s public API and the input contract
(:mod:`pfa.engine.inputs`), and nothing below imports it.
"""

from .errors import DataFileError, RowError
from .registry import Format, ReadSpec, format_for, formats, register

__all__ = ["DataFileError", "Format", "ReadSpec", "RowError", "format_for", "formats",
           "register"]
