"""The spec's patterns for names (one definition, used by the reader, checker and types).

Match them with ``fullmatch``.
"""

import re

#: symbols, cells, pools, record fields, enum symbols and Avro names: ``[A-Za-z_][A-Za-z0-9_]*``
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a namespace-qualified Avro name: dot-separated names
FULLNAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
#: function names: dot-delimited words, each starting with a letter (the first may be "_")
FCN_NAME_RE = re.compile(r"[A-Za-z_]([A-Za-z0-9_]|\.[A-Za-z][A-Za-z0-9_]*)*")
