"""Services shared by the library (:mod:`pfa.lib`) and the engines (:mod:`pfa.engine`).

This package imports neither of them: library functions reach the running engine's
:class:`~pfa.runtime.budget.Budget` through ``CallSite.context`` (the engine's context is a
``Budget``), and the engine builds its context on top of it.
"""
