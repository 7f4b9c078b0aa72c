"""Converters of Spark ML stages, one module per family; each registers with
``pfa.exporters.registry.converter("spark", "<Java package>", "<saved class name>", role)``
and is called as ``fn(stage: SavedStage, flow: Flow) -> None``."""
