"""The native tier is built wherever a C compiler is: a failed optional build would otherwise
turn the tier off silently and every native test would skip."""

import os
import shutil
import sysconfig

import pytest

from pfa.engine import native
from pfa.engine.native import lower


def _compiler() -> str | None:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc)


@pytest.mark.skipif(_compiler() is None and not os.environ.get("CI"),
                    reason="no C compiler here: the native tier is optional")
def test_extension_is_built_with_numpys_exp() -> None:
    assert native.unavailable() is None or os.environ.get(native.DISABLE_ENV) is not None
    assert native._vm is not None, "pfa.engine.native._vm did not build"
    assert native._vm.NUMPY_EXP == 1, "built without numpy's headers: OP_EXP is libm's"
    assert lower.EXP_EXACT, "OP_EXP differs from numpy's exp"
