"""sklearn converters, one module per estimator family; each registers itself, and
:func:`pfa.exporters.registry.converter_modules` finds the modules (nothing lists them)."""
