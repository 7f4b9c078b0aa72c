"""Generators of the conformance cases: one module per library namespace.

Expected values are computed here with Python's standard library, numpy or scipy, or written
by hand; never with an engine under test. ``python -m conformance.generate`` rewrites every
``conformance/cases/<namespace>.json``.
"""
