"""YAML loading with a bound on alias expansion (no "billion laughs").

PyYAML's safe loader shares the node of an anchor with every alias to it, so a few hundred
bytes of nested aliases describe a structure with billions of nodes: anything that walks it
(the PFA reader, the checker, a JSON encoder) runs out of time or memory. :func:`load_yaml`
counts, while composing, how many nodes each alias adds once expanded, and refuses the
document as soon as the aliases add more than :data:`MAX_ALIAS_NODES` nodes in total, or when an
alias refers to a node that contains it (a recursive structure, which JSON cannot hold).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_ALIAS_NODES", "YamlRefused", "load_yaml"]

MAX_ALIAS_NODES = 100_000
"""Most nodes that aliases may add to a YAML document once expanded."""


class YamlRefused(yaml.YAMLError):
    """The YAML text expands (through aliases) beyond the bound, or is recursive."""


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that tracks the expanded size of every composed node."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}
        self._alias_nodes = 0

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


def load_yaml(text: str) -> Any:
    """The object described by one YAML document (safe tags only, bounded aliases).

    Raises ``yaml.YAMLError`` (:class:`YamlRefused` for an alias bomb or recursion).
    """
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
