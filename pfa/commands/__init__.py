"""Subcommands of the pfa command line, one module each (see pfa.cli)."""
