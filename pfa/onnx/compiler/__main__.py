"""``python -m pfa.onnx.compiler``: print the README table of the compile subset."""

from pfa.onnx.compiler import print_supported

print_supported()
