"""The hostile-input harness's session summary (see :mod:`tests.hostile.summary`)."""

from tests.hostile.summary import pytest_configure, pytest_terminal_summary

__all__ = ["pytest_configure", "pytest_terminal_summary"]
