"""The ``pfa`` MLflow model flavor: PFA documents as MLflow models.

>>> import pfa.mlflow
>>> pfa.mlflow.save_model(doc, "model_dir")                   # doc: dict, text, path or Engine
>>> info = pfa.mlflow.log_model(doc, name="model", registered_model_name="churn")
>>> engine = pfa.mlflow.load_model("models:/churn/1")          # a pfa.Engine
>>> mlflow.pyfunc.load_model("models:/churn@champion").predict(df)

A model directory holds the document as plain ``model.pfa`` (canonical JSON), an ``MLmodel``
file with a ``pfa`` flavor section (package and spec versions, the document's method, its Avro
input and output types, engine options) and a ``python_function`` section whose loader module is
this one (the engine is rebuilt from the document: nothing is pickled), plus MLflow's
environment files and, when given, the input example. Signatures are derived from the Avro types
(:mod:`pfa.mlflow.signature`). This is the only package of pfa that imports ``mlflow``
(``pip install pfa[mlflow]``).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

try:
    import mlflow  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("pfa.mlflow needs MLflow: pip install 'pfa[mlflow]'") from exc

import mlflow.pyfunc as mlflow_pyfunc
import yaml
from mlflow.models import Model, ModelInputExample, ModelSignature
from mlflow.models.model import MLMODEL_FILE_NAME
from mlflow.models.utils import _save_example
from mlflow.tracking._model_registry import DEFAULT_AWAIT_MAX_SLEEP_SECONDS
from mlflow.tracking.artifact_utils import _download_artifact_from_uri
from mlflow.utils.environment import (
    _CONDA_ENV_FILE_NAME,
    _CONSTRAINTS_FILE_NAME,
    _PYTHON_ENV_FILE_NAME,
    _REQUIREMENTS_FILE_NAME,
    _mlflow_conda_env,
    _process_conda_env,
    _process_pip_requirements,
    _PythonEnv,
)
from mlflow.utils.file_utils import write_to
from mlflow.utils.model_utils import (
    _get_flavor_configuration,
    _validate_and_prepare_target_save_path,
)

from pfa.document.ast import PfaDocument
from pfa.document.reader import read, read_yaml
from pfa.document.writer import write_json
from pfa.engine.engine import Engine
from pfa.version import __version__ as PFA_VERSION

from .pyfunc_model import PfaPyfuncModel
from .signature import SignatureError, infer_signature

_log = logging.getLogger(__name__)

FLAVOR_NAME = "pfa"
DOCUMENT_FILE = "model.pfa"
SPEC_VERSION = "0.8.1"

__all__ = ["DOCUMENT_FILE", "FLAVOR_NAME", "PfaPyfuncModel", "SignatureError", "document_path",
           "get_default_conda_env", "get_default_pip_requirements", "infer_signature",
           "load_model", "local_document", "log_exported", "log_model", "save_model"]


def get_default_pip_requirements() -> list[str]:
    """The pip requirements of a saved PFA model: this package at its current version."""
    return [f"pfa=={PFA_VERSION}"]


def get_default_conda_env() -> dict[str, Any]:
    """The default Conda environment of a saved PFA model."""
    return _mlflow_conda_env(additional_pip_deps=get_default_pip_requirements())


def _document(pfa_model: Any) -> PfaDocument:
    """The document of ``pfa_model``: an Engine, a PfaDocument, a dict, JSON or YAML text, or
    the path of a JSON/YAML file."""
    if isinstance(pfa_model, Engine):
        return pfa_model.document
    if isinstance(pfa_model, (PfaDocument, dict)):
        return read(pfa_model)
    if isinstance(pfa_model, Path) or (isinstance(pfa_model, str) and "\n" not in pfa_model
                                        and not pfa_model.lstrip().startswith("{")
                                        and os.path.isfile(pfa_model)):
        path = Path(pfa_model)
        return read_yaml(path) if path.suffix.lower() in (".yaml", ".yml") else read(path)
    if isinstance(pfa_model, (str, bytes)):
        text = pfa_model.decode("utf-8") if isinstance(pfa_model, bytes) else pfa_model
        return read(text) if text.lstrip().startswith("{") else read_yaml(text)
    raise TypeError(f"pfa_model must be a PFA document (dict, JSON/YAML text or path) or a "
                    f"pfa.Engine, not {type(pfa_model).__name__}")


def save_model(pfa_model: Any, path: str | os.PathLike[str], *,
               signature: ModelSignature | bool | None = None,
               input_example: ModelInputExample | None = None,
               metadata: dict[str, Any] | None = None,
               pip_requirements: list[str] | str | None = None,
               extra_pip_requirements: list[str] | str | None = None,
               conda_env: Any = None, mlflow_model: Model | None = None,
               options: dict[str, Any] | None = None,
               optional_columns: bool = True) -> None:
    """Save a PFA document as an MLflow model in the new directory ``path``.

    ``signature``: None derives one from the document's types (refined by ``input_example``,
    see :mod:`pfa.mlflow.signature`), False saves none. ``options``: engine options applied when
    the model is loaded (e.g. ``{"timeout": 1000}``). ``optional_columns=False`` makes every
    input column required (``spark_udf(...)()`` without column names needs it). The document
    is read and checked first: a malformed or ill-typed document raises its PFA error and
    nothing is written.
    """
    doc = _document(pfa_model)
    engine = Engine.from_ast(doc, options=options)  # checks the document
    path = os.fspath(path)
    _validate_and_prepare_target_save_path(path)
    if mlflow_model is None:
        mlflow_model = Model()
    saved_example = _save_example(mlflow_model, input_example, path)
    if signature is None:
        example = saved_example.inference_data if saved_example is not None else None
        try:
            signature = infer_signature(engine, example, optional_columns=optional_columns)
        except SignatureError as err:
            _log.warning(
                "no MLflow signature for this document (%s); pass signature= to set one", err)
            signature = None
    elif signature is False:
        signature = None
    if signature is not None:
        mlflow_model.signature = signature
    if metadata is not None:
        mlflow_model.metadata = metadata

    write_to(os.path.join(path, DOCUMENT_FILE), write_json(doc) + "\n")
    if engine.method == "map":
        mlflow_pyfunc.add_to_model(mlflow_model, loader_module=__name__, data=DOCUMENT_FILE,
                            conda_env=_CONDA_ENV_FILE_NAME, python_env=_PYTHON_ENV_FILE_NAME)
    else:
        _log.warning(
            "a %r document has no python_function flavor (pyfunc predict scores 'map' "
            "documents); load it with pfa.mlflow.load_model", engine.method)
    mlflow_model.add_flavor(
        FLAVOR_NAME, pfa_version=PFA_VERSION, spec_version=SPEC_VERSION, document=DOCUMENT_FILE,
        document_name=engine.name, method=engine.method,
        input_type=engine.input_type.to_json(),
        output_type=engine.output_type.to_json(),
        options=options or {})
    mlflow_model.save(os.path.join(path, MLMODEL_FILE_NAME))

    if conda_env is None:
        default = get_default_pip_requirements() if pip_requirements is None else None
        conda_env, pip_requirements, pip_constraints = _process_pip_requirements(
            default, pip_requirements, extra_pip_requirements)
    else:
        conda_env, pip_requirements, pip_constraints = _process_conda_env(conda_env)
    with open(os.path.join(path, _CONDA_ENV_FILE_NAME), "w") as f:
        yaml.safe_dump(conda_env, stream=f, default_flow_style=False)
    if pip_constraints:
        write_to(os.path.join(path, _CONSTRAINTS_FILE_NAME), "\n".join(pip_constraints))
    write_to(os.path.join(path, _REQUIREMENTS_FILE_NAME), "\n".join(pip_requirements))
    _PythonEnv.current().to_yaml(os.path.join(path, _PYTHON_ENV_FILE_NAME))


def log_model(pfa_model: Any, name: str | None = None, *,
              registered_model_name: str | None = None,
              signature: ModelSignature | bool | None = None,
              input_example: ModelInputExample | None = None,
              await_registration_for: int = DEFAULT_AWAIT_MAX_SLEEP_SECONDS,
              metadata: dict[str, Any] | None = None,
              pip_requirements: list[str] | str | None = None,
              extra_pip_requirements: list[str] | str | None = None,
              options: dict[str, Any] | None = None, optional_columns: bool = True,
              **kwargs: Any) -> Any:
    """Log a PFA document as a model of the active run (one is started if none is) and, with
    ``registered_model_name``, register it as a new version of that model. Returns MLflow's
    ``ModelInfo`` (``model_uri``, ``registered_model_version``, …). Other keyword arguments go
    to :meth:`mlflow.models.Model.log` (``params``, ``tags``, ``step``, …)."""
    return Model.log(artifact_path=None, name=name or "model", flavor=sys.modules[__name__],
                     pfa_model=pfa_model, registered_model_name=registered_model_name,
                     signature=signature, input_example=input_example,
                     await_registration_for=await_registration_for, metadata=metadata,
                     pip_requirements=pip_requirements,
                     extra_pip_requirements=extra_pip_requirements, options=options,
                     optional_columns=optional_columns, **kwargs)


def log_exported(doc: Any, name: str, *, registered_model_name: str | None = None,
                 sample: Any = None) -> str:
    """Log an exported document (``pfa export --mlflow-log NAME``) as model ``name`` of a new
    run of the current experiment, registering it when ``registered_model_name`` is given; the
    first rows of a data ``sample`` become the input example (integer columns in the
    signature). Returns a one-line summary; raises ``MlflowException`` with MLflow's message
    when the tracking or registry store refuses."""
    example = sample.head(5) if hasattr(sample, "head") else None
    with mlflow.start_run() as run:
        info = log_model(doc, name, registered_model_name=registered_model_name,
                         input_example=example)
    text = f"logged {info.model_uri} (run {run.info.run_id})"
    if registered_model_name:
        text += f", registered as models:/{registered_model_name}/{info.registered_model_version}"
    return text


def local_document(local_path: str) -> tuple[str, dict[str, Any]]:
    """The document file and the ``pfa`` flavor configuration of a model directory on this
    machine (``local_path`` may also be the document file inside it)."""
    model_dir = os.path.dirname(local_path) if os.path.isfile(local_path) else local_path
    conf = _get_flavor_configuration(model_path=model_dir, flavor_name=FLAVOR_NAME)
    return os.path.join(model_dir, conf.get("document", DOCUMENT_FILE)), conf


def document_path(model_uri: str, dst_path: str | None = None) -> Path:
    """Download the model at ``model_uri`` (``models:/name/1``, ``models:/name@alias``,
    ``runs:/<run>/model``, a path, …) with MLflow's artifact download and return the local path
    of its PFA document."""
    local = _download_artifact_from_uri(artifact_uri=model_uri, output_path=dst_path)
    return Path(local_document(local)[0])


def load_model(model_uri: str, dst_path: str | None = None, *,
               options: dict[str, Any] | None = None) -> Engine:
    """The :class:`pfa.Engine` of the PFA model at ``model_uri``; ``options`` override the
    engine options saved with the model."""
    local = _download_artifact_from_uri(artifact_uri=model_uri, output_path=dst_path)
    doc_file, conf = local_document(local)
    saved = conf.get("options") or {}
    return Engine.from_json(doc_file, options={**saved, **(options or {})} or None)


def _load_pyfunc(path: str) -> PfaPyfuncModel:
    """The pyfunc implementation (``loader_module``): called by ``mlflow.pyfunc.load_model``."""
    doc_file, conf = local_document(path)
    return PfaPyfuncModel(Engine.from_json(doc_file, options=conf.get("options") or None))
