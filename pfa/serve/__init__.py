"""``pfa serve``: an HTTP scoring server for PFA documents.

It speaks MLflow's scoring protocol (``/invocations``) and the Open Inference Protocol
(``/v2/...``, with the model-repository extension), serves a single document or a model
repository (``<name>/<version>/model.pfa``) with traffic weights between versions, and exposes
Prometheus metrics (``/metrics``) and input/output monitoring with drift against a training
profile (``/monitor``). Layering: ``pfa.serve`` uses the public ``pfa.Engine`` API and the input
contract (:mod:`pfa.engine.inputs`); nothing below it imports it.

>>> from pfa.serve import create_app, ServeConfig   # doctest: +SKIP
>>> app = create_app("models/", ServeConfig(default_model="iris"))  # any ASGI server runs it
"""

from .app import ServeConfig, Server, create_app
from .sources import ModelSpec, SourceError, register_source

__all__ = ["ModelSpec", "ServeConfig", "Server", "SourceError", "create_app", "register_source"]
