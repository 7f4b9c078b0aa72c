"""Runtime error codes defined by this project (the one place they are declared).

The specification gives every library function and special form its own codes (1000–40171).
Errors that the specification does not foresee use codes from 90000 up:

======  ======================================================================================
90000   value too large: a library call would build a value larger than the ``memory.value``
        engine option (estimated from its arguments before anything is allocated)
90001   internal error: a Python exception escaped the engine or a library function (a bug in
        pfa; the original exception is chained as ``__cause__`` and logged)
90002   recursion too deep: user functions called each other deeper than the engine allows
======  ======================================================================================
"""

from __future__ import annotations

VALUE_TOO_LARGE = 90000
INTERNAL_ERROR = 90001
RECURSION_TOO_DEEP = 90002
