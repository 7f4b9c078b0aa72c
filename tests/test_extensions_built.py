"""The C extensions are built wherever a C compiler is: a failed optional build would otherwise
turn the native tier (and the server's record reader) off silently, and every test of them
would skip or test only the Python fallback."""

import os
import shutil
import sysconfig

import pytest

from pfa.engine import native
from pfa.engine.native import lower


def _compiler() -> str | None:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc)


built_here = pytest.mark.skipif(_compiler() is None and not os.environ.get("CI"),
                                reason="no C compiler here: the extensions are optional")


@built_here
def test_native_tier_is_built_with_numpys_exp() -> None:
    assert native.unavailable() is None or os.environ.get(native.DISABLE_ENV) is not None
    assert native._vm is not None, "pfa.engine.native._vm did not build"
    assert native._vm.NUMPY_EXP == 1, "built without numpy's headers: OP_EXP is libm's"
    assert lower.EXP_EXACT, "OP_EXP differs from numpy's exp"


@built_here
def test_record_reader_is_built() -> None:
    serve_model = pytest.importorskip("pfa.serve.model")  # (the serve extra)
    assert serve_model.records_block is not None, "pfa.serve._records did not build"
