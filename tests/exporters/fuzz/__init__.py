"""Differential fuzzer of the sklearn exporter: random tables × pipelines built from every
converter in the registry, scored by sklearn and by the exported document (API and CLI export,
``action`` per row, ``action_batch`` on the DataFrame and on an Arrow table)."""
