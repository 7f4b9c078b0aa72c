"""The PFA function library, one module per namespace; see pfa.lib.registry."""
