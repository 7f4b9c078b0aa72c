"""Prometheus metrics of a server (text format at ``/metrics``), in a registry of its own.

| metric | type | labels |
|---|---|---|
| ``pfa_serve_requests_total`` | counter | model, version, protocol, status |
| ``pfa_serve_request_duration_seconds`` | histogram | model, protocol |
| ``pfa_serve_rows_scored_total`` | counter | model, version |
| ``pfa_serve_pfa_errors_total`` | counter | model, version, code |
| ``pfa_serve_requests_in_flight`` | gauge | |
| ``pfa_serve_model_load_seconds`` | gauge | model, version |
| ``pfa_serve_model_load_failures_total`` | counter | model |
| ``pfa_serve_model_ready`` | gauge | model, version |
| ``pfa_serve_input_count_total``, ``pfa_serve_input_null_rate``, ``pfa_serve_input_mean`` | counter, gauge | model, version, feature |
| ``pfa_serve_drift_psi`` | gauge | model, version, feature |
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _MonitorCollector:
    """Gauges read from the model monitors at scrape time."""

    def __init__(self, monitors: Callable[[], list[Any]]):
        self.monitors = monitors

    def collect(self) -> Iterator[Any]:
        labels = ["model", "version", "feature"]
        count = CounterMetricFamily("pfa_serve_input_count", "Input values seen per feature",
                                    labels=labels)
        nulls = GaugeMetricFamily("pfa_serve_input_null_rate",
                                  "Share of null/NaN input values per feature", labels=labels)
        mean = GaugeMetricFamily("pfa_serve_input_mean", "Mean of numeric input values",
                                 labels=labels)
        drift = GaugeMetricFamily("pfa_serve_drift_psi", "Population stability index of a "
                                  "feature against the training profile", labels=labels)
        for mon in self.monitors():
            mon.flush()
            m, v = mon.model.name, mon.model.version
            for feature, stat in list(mon.inputs.items()):
                count.add_metric([m, v, feature], stat.count)
                nulls.add_metric([m, v, feature], stat.nulls / stat.count if stat.count else 0.0)
                if stat.n:
                    mean.add_metric([m, v, feature], stat.mean)
            for feature, value in mon.drift().items():
                drift.add_metric([m, v, feature], value)
        yield from (count, nulls, mean, drift)


class Metrics:
    """The metric objects of one server."""

    def __init__(self, monitors: Callable[[], list[Any]] | None = None):
        r = self.registry = CollectorRegistry()
        self.requests = Counter("pfa_serve_requests", "Requests answered",
                                ["model", "version", "protocol", "status"], registry=r)
        self.latency = Histogram("pfa_serve_request_duration_seconds",
                                 "Time from request to response", ["model", "protocol"],
                                 buckets=BUCKETS, registry=r)
        self.rows = Counter("pfa_serve_rows_scored", "Rows scored", ["model", "version"],
                            registry=r)
        self.errors = Counter("pfa_serve_pfa_errors", "Rows refused by the document, by PFA "
                              "error code", ["model", "version", "code"], registry=r)
        self.in_flight = Gauge("pfa_serve_requests_in_flight", "Requests being answered",
                               registry=r)
        self.load_seconds = Gauge("pfa_serve_model_load_seconds", "Time to read, check and "
                                  "compile a model version", ["model", "version"], registry=r)
        self.load_failures = Counter("pfa_serve_model_load_failures", "Model loads that failed",
                                     ["model"], registry=r)
        self.ready = Gauge("pfa_serve_model_ready", "1 if the model version is served",
                           ["model", "version"], registry=r)
        if monitors is not None:
            r.register(_MonitorCollector(monitors))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
