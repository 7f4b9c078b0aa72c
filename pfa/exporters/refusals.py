"""The documented reasons an exporter refuses a model, shared by every front end.

A front end refuses what it cannot translate exactly with one exception,
:class:`~pfa.errors.UnsupportedModelError` (exit status 2 from ``pfa export``), raised by
:meth:`pfa.exporters.builder.DocumentBuilder.refuse` at the model's place in the pipeline. A
converter signals it by raising :class:`Refusal` (or any ``ValueError``, for a parameter it
does not translate); ``reason``, when given, is a key of :data:`REASONS`, whose text the
README's "Refused models" list states word for word (a test checks it), so a caller (the
differential fuzzer among them) can tell a documented refusal from an unexpected one.
"""

from __future__ import annotations

#: reason key → the README's sentence for it
REASONS: dict[str, str] = {
    "no converter": "an estimator without a converter (the table above)",
    "multi-output classifier": "multi-output classifiers (several label columns) are refused",
    "float32 data": "float32 input data is refused",
    "empty selection": "a feature selector that keeps no feature is refused",
    "zero variance": "GaussianNB with a zero variance is refused",
    "xgboost on sparse input": "XGBoost after a step with sparse output is refused",
    "None and NaN categories": "an encoder that learned None and NaN as two different "
                               "categories of one column",
    "brute-force euclidean distance weights": "k-nearest neighbours with distance weights and "
                                              "euclidean distances on sklearn's brute-force "
                                              "search are refused",
}


class Refusal(ValueError):
    """A converter's refusal for a documented reason (a key of :data:`REASONS`); the message
    says what in the model is refused."""

    def __init__(self, reason: str, message: str):
        if reason not in REASONS:
            raise KeyError(f"undocumented refusal reason {reason!r}")
        super().__init__(message)
        self.reason = reason
