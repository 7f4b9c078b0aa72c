"""Build script for the optional C extension of the native tier (``pfa.engine.native._vm``).

Everything else is declared in pyproject.toml. The extension is optional: without a C compiler
``pip install`` still succeeds and the engine runs on the vector and scalar back ends with the
same results. ``-ffp-contract=off`` (no fused multiply-add) and no ``-ffast-math`` keep every
operation the IEEE operation the scalar engine performs.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "pfa.engine.native._vm",
    sources=["pfa/engine/native/_vm.c"],
    extra_compile_args=["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c99"],
    extra_link_args=["-lpthread"],
    optional=True,
)])
