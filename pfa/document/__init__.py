"""The PFA front end: AST, reader (JSON/YAML → AST) and writer (AST → canonical JSON)."""
