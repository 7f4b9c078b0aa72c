"""Execution of typed PFA documents."""
