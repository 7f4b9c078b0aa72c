"""Registries of shape-specific kernels: named hooks of a compiler, each holding the kernels
registered at it, asked in registration order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Kernel = Callable[..., Any]


class KernelHooks:
    """The kernels registered at each of a compiler's ``hooks`` (``what`` names the compiler
    in error messages)."""

    def __init__(self, what: str, hooks: tuple[str, ...]):
        self.what = what
        self.hooks = hooks
        self.kernels: dict[str, list[Kernel]] = {hook: [] for hook in hooks}

    def register(self, hook: str) -> Callable[[Kernel], Kernel]:
        """A decorator registering a kernel at ``hook`` (once)."""
        if hook not in self.kernels:
            raise ValueError(f"unknown {self.what} kernel hook {hook!r}; "
                             f"expected one of {self.hooks}")

        def register(kernel: Kernel) -> Kernel:
            if kernel not in self.kernels[hook]:
                self.kernels[hook].append(kernel)
            return kernel
        return register

    def registered(self, hook: str) -> tuple[Kernel, ...]:
        """The kernels registered at ``hook``, in the order they are asked."""
        return tuple(self.kernels[hook])
