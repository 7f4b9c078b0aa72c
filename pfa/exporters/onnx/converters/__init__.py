"""ONNX op converters, one module per family; each registers its ops with
:func:`pfa.exporters.registry.converter` (library ``"onnx"``, module ``"ai.onnx"`` or
``"ai.onnx.ml"``). A converter takes ``(ctx, node, inputs)`` and returns the node's output
tensors (:mod:`pfa.exporters.onnx.context`)."""
