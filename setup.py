"""Build script for the optional C extensions: the native tier's interpreter
(``pfa.engine.native._vm``) and the server's reader of number records (``pfa.serve._records``).

Everything else is declared in pyproject.toml. Both extensions are optional: without a C
compiler ``pip install`` still succeeds, the engine runs on the vector and scalar back ends
with the same results and the server reads records in Python. ``-ffp-contract=off`` (no fused multiply-add) and no ``-ffast-math`` keep every
operation the IEEE operation the scalar engine performs. numpy's headers (a build
requirement) let the interpreter call numpy's own exp loop, the one the engines use.
"""

from setuptools import Extension, setup


def numpy_headers() -> tuple[list[str], list[tuple[str, None]]]:
    """(include dirs, macros) for numpy's C headers, or nothing when numpy is not there."""
    try:
        import numpy
    except ImportError:
        return [], []
    return [numpy.get_include()], [("PFA_NUMPY_HEADERS", None)]


include_dirs, macros = numpy_headers()
setup(ext_modules=[
    Extension(
        "pfa.engine.native._vm",
        sources=["pfa/engine/native/_vm.c"],
        include_dirs=include_dirs,
        define_macros=macros,
        extra_compile_args=["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c99"],
        extra_link_args=["-lpthread"],
        optional=True,
    ),
    Extension(
        "pfa.serve._records",
        sources=["pfa/serve/_records.c"],
        extra_compile_args=["-O2", "-ffp-contract=off", "-std=c99"],
        optional=True,
    ),
])
