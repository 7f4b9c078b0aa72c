"""Regenerate every case file: ``python -m conformance.generate [module ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import conformance.generate as pkg


def main(argv: list[str]) -> int:
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or (argv and info.name not in argv):
            continue
        built = importlib.import_module(f"conformance.generate.{info.name}").build()
        for module in built if isinstance(built, list) else [built]:
            print(module.write())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
