"""One module per data-file format; each registers a :class:`pfa.io.registry.Format`."""
