"""The version of pfa (one declaration; ``pfa.__version__`` re-exports it)."""

__version__ = "0.1.0"
