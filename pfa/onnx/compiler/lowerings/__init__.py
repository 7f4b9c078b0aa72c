"""One module per family of PFA constructs the ONNX compiler lowers (found by the registry)."""
