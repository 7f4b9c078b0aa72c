"""The static type checker: AST → typed AST."""
