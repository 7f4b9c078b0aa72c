"""A JVM-free reader of saved Spark ML models (``model.write().save(dir)``).

A saved stage is a directory with ``metadata/part-*`` (one JSON line: class, uid, Spark
version, ``paramMap`` set by the user, ``defaultParamMap``) and, for fitted models,
``data/*.parquet`` (and sometimes other sub-directories such as ``treesMetadata``). A
``PipelineModel`` keeps its stages under ``stages/<index>_<uid>``. Spark ≤ 3.x names the
metadata file ``part-00000``, Spark 4.x ``part-00000-<uuid>-c000.txt``; both are read here,
with only :mod:`json` and :mod:`pyarrow`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

PIPELINE_MODEL = "org.apache.spark.ml.PipelineModel"
#: the class names a saved PipelineModel carries (pyspark writes its own name when a stage is
#: a Python one, e.g. OneVsRestModel)
PIPELINE_MODELS = (PIPELINE_MODEL, "pyspark.ml.pipeline.PipelineModel")


class SavedModelError(ValueError):
    """A directory that is not a readable saved Spark model."""


def is_saved_model(path: Path) -> bool:
    """Whether ``path`` looks like a saved Spark model directory (cheap: no file is parsed)."""
    return path.is_dir() and (path / "metadata").is_dir()


def _part_files(directory: Path, suffix: str = "") -> list[Path]:
    return sorted(p for p in directory.glob("part-*") if p.is_file() and p.name.endswith(suffix)
                  and not p.name.endswith(".crc"))


def read_metadata(path: Path) -> dict[str, Any]:
    """The metadata JSON of the saved stage at ``path``."""
    parts = _part_files(path / "metadata")
    if not parts:
        raise SavedModelError(f"{path}: no metadata/part-* file (not a saved Spark model)")
    text = parts[0].read_text(encoding="utf-8").strip().splitlines()
    try:
        meta = json.loads(text[0])
    except (json.JSONDecodeError, IndexError) as err:
        raise SavedModelError(f"{parts[0]}: unreadable Spark metadata ({err})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("class"), str):
        raise SavedModelError(f"{parts[0]}: Spark metadata without a class name")
    return meta


@dataclass
class SavedStage:
    """One saved stage: its class, uid, parameters and data files."""

    path: Path
    meta: dict[str, Any]
    index: int | None = None
    parent: SavedStage | None = field(default=None, repr=False)

    @classmethod
    def read(cls, path: Path, index: int | None = None,
             parent: SavedStage | None = None) -> SavedStage:
        return cls(path, read_metadata(path), index, parent)

    @property
    def cls(self) -> str:
        """The full Java class name, e.g. ``org.apache.spark.ml.feature.StringIndexerModel``."""
        return self.meta["class"]

    @property
    def name(self) -> str:
        """The simple class name, e.g. ``StringIndexerModel``."""
        return self.cls.rsplit(".", 1)[-1]

    @property
    def package(self) -> str:
        return self.cls.rsplit(".", 1)[0] if "." in self.cls else ""

    @property
    def uid(self) -> str:
        return str(self.meta.get("uid", ""))

    @property
    def spark_version(self) -> str:
        return str(self.meta.get("sparkVersion", ""))

    @cached_property
    def params(self) -> dict[str, Any]:
        """The default parameters updated by the ones the user set."""
        return {**(self.meta.get("defaultParamMap") or {}), **(self.meta.get("paramMap") or {})}

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def is_set(self, name: str) -> bool:
        """Whether the user set ``name`` (rather than it having its default)."""
        return name in (self.meta.get("paramMap") or {})

    @property
    def place(self) -> str:
        """Where the stage is, for messages: ``stage 3 (StringIndexerModel 'strIdx_1a2b')``."""
        own = f"{self.name} {self.uid!r}"
        if self.parent is not None and self.parent.cls not in PIPELINE_MODELS:
            return f"{self.parent.place} > {own}"
        return f"stage {self.index} ({own})" if self.index is not None else own

    def data(self, sub: str = "data") -> Any:
        """All parquet parts of ``<path>/<sub>/``, concatenated in part order (a pyarrow
        Table)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = _part_files(self.path / sub, ".parquet")
        if not parts:
            raise SavedModelError(f"{self.place}: no parquet data in {self.path / sub}")
        tables = [pq.read_table(p) for p in parts]
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]

    def data_row(self, sub: str = "data") -> dict[str, Any]:
        """The single row of a model's data (most models save one row)."""
        rows = self.data(sub).to_pylist()
        if len(rows) != 1:
            raise SavedModelError(f"{self.place}: expected one data row, found {len(rows)}")
        return rows[0]

    def child(self, sub: str) -> SavedStage:
        """A nested saved stage (e.g. OneVsRest's ``model_0``, an ensemble's
        ``treesMetadata``)."""
        return SavedStage.read(self.path / sub, parent=self)

    def stages(self) -> list[SavedStage]:
        """The stages of a saved ``PipelineModel``, in order."""
        uids = self.param("stageUids") or []
        found = {p.name.split("_", 1)[1]: p for p in (self.path / "stages").glob("*_*")
                 if p.is_dir()}
        out = []
        for i, uid in enumerate(uids):
            d = found.get(uid)
            if d is None:
                raise SavedModelError(f"{self.path}: stage {i} ({uid!r}) is missing from stages/")
            out.append(SavedStage.read(d, i, self))
        return out


def load(path: Path) -> SavedStage:
    """The saved model at ``path`` (a PipelineModel or a single saved stage)."""
    if not is_saved_model(path):
        raise SavedModelError(f"{path} is not a saved Spark model directory (no metadata/)")
    return SavedStage.read(path)


def to_dense_vector(v: dict[str, Any] | None) -> np.ndarray:
    """A Spark ML vector as parquet stores it (``{type: 0 sparse | 1 dense, size, indices,
    values}``) as a dense float64 array."""
    if v is None:
        raise SavedModelError("a saved vector is null")
    if v["type"] == 1:
        return np.asarray(v["values"], dtype=np.float64)
    out = np.zeros(int(v["size"]), dtype=np.float64)
    out[np.asarray(v["indices"], dtype=np.int64)] = np.asarray(v["values"], dtype=np.float64)
    return out


def to_dense_matrix(m: dict[str, Any] | None) -> np.ndarray:
    """A Spark ML matrix as parquet stores it (``{type, numRows, numCols, colPtrs,
    rowIndices, values, isTransposed}``) as a dense row-major ``numRows × numCols`` array."""
    if m is None:
        raise SavedModelError("a saved matrix is null")
    rows, cols = int(m["numRows"]), int(m["numCols"])
    values = np.asarray(m["values"], dtype=np.float64)
    if m["type"] == 1:  # dense: column-major unless transposed
        if m["isTransposed"]:
            return values.reshape(rows, cols).copy()
        return values.reshape(cols, rows).T.copy()
    out = np.zeros((rows, cols), dtype=np.float64)
    ptrs, idx = m["colPtrs"], m["rowIndices"]
    if m["isTransposed"]:  # CSR: colPtrs are row pointers, rowIndices column indices
        for r in range(rows):
            for k in range(ptrs[r], ptrs[r + 1]):
                out[r, idx[k]] = values[k]
    else:
        for c in range(cols):
            for k in range(ptrs[c], ptrs[c + 1]):
                out[idx[k], c] = values[k]
    return out
