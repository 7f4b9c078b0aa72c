"""YAML loading with a bound on alias expansion (no "billion laughs").

PyYAML's safe loader shares the node of an anchor with every alias to it, so a few hundred
bytes of nested aliases describe a structure with billions of nodes: anything that walks it
(the PFA reader, the checker, a JSON encoder) runs out of time or memory. :func:`load_yaml`
counts, while composing, how many nodes each alias adds once expanded, and refuses the
document as soon as the aliases add more than :data:`MAX_ALIAS_NODES` nodes in total, or when an
alias refers to a node that contains it (a recursive structure, which JSON cannot hold).

Events come from libyaml's C parser when PyYAML has it (about 5x faster than the pure-Python
parser on large documents, and it refuses flow collections nested over 1,000 levels deep at
once); the composition and construction are PyYAML's safe ones.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

__all__ = ["MAX_ALIAS_NODES", "YamlRefused", "load_yaml"]

MAX_ALIAS_NODES = 100_000
"""Most nodes that aliases may add to a YAML document once expanded."""


class YamlRefused(yaml.YAMLError):
    """The YAML text expands (through aliases) beyond the bound, or is recursive."""


class _BoundedComposer(Composer):
    """PyYAML's composer, tracking the expanded size of every node it composes."""

    _sizes: dict[int, int]
    _alias_nodes: int

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise YamlRefused(f"a recursive alias at line {mark.line + 1}, column "
                                  f"{mark.column + 1} (a structure that contains itself)")
            self._alias_nodes += size
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise YamlRefused(
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (at line "
                    f"{mark.line + 1}, column {mark.column + 1}): refused as a possible "
                    "alias bomb")
            return node
        node = super().compose_node(parent, index)
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._sizes[id(child)] for child in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
        self._sizes[id(node)] = size
        return node


if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser

    class _BoundedLoader(_BoundedComposer, CParser, SafeConstructor, Resolver):
        """libyaml's parser (events, in C) under the bounded composer and the safe
        constructor: much faster than the pure-Python parser on large documents."""

        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._sizes = {}
            self._alias_nodes = 0
else:  # pragma: no cover - PyYAML built without libyaml
    class _BoundedLoader(_BoundedComposer, yaml.SafeLoader):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            yaml.SafeLoader.__init__(self, stream)
            self._sizes = {}
            self._alias_nodes = 0


def load_yaml(text: str) -> Any:
    """The object described by one YAML document (safe tags only, bounded aliases).

    Raises ``yaml.YAMLError`` (:class:`YamlRefused` for an alias bomb or recursion).
    """
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
