"""The state of one import and the PFA building blocks every op converter uses.

An op converter receives the :class:`ImportContext`, the ONNX node and the node's input
tensors (:class:`~pfa.exporters.onnx.tensors.Tensor`, None for an omitted optional input)
and returns the node's output tensors. It builds row tensors with the helpers here:
:meth:`ImportContext.gather` (a constant index array applied to a row tensor),
:meth:`ImportContext.elementwise` (one scalar expression per element, with ONNX
broadcasting), :meth:`ImportContext.rows` (groups of elements as an array of arrays, for
reductions, windows and matrix products) and :meth:`ImportContext.emit` (a ``let`` named
after the ONNX tensor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np

from pfa.exporters.builder import DocumentBuilder
from pfa.exporters.onnx.tensors import (
    MAX_ROW_ELEMENTS,
    Tensor,
    array_of,
    index_grid,
    json_values,
    literal,
    nested_type,
)

#: symbols the importer's inline functions use: lets named after tensors never take them
RESERVED = ("input", "r", "i", "j", "v", "lse", "p0", "p1", "p2", "p3", "r1", "r2", "r3",
            "r4", "r5", "r6", "r7", "node", "tree", "acc")


class OpRefusal(ValueError):
    """A converter cannot translate a node exactly; the message says why (the importer adds
    the node's name, index and op)."""


@dataclass
class ImportContext:
    """One import: the document builder, the ONNX opset versions and the current node."""

    builder: DocumentBuilder = field(default_factory=DocumentBuilder)
    opsets: dict[str, int] = field(default_factory=dict)
    _cells: dict[tuple[str, bytes, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in RESERVED:  # the parameters of the importer's inline functions
            self.builder.fresh(name)

    # -- errors and attributes ---------------------------------------------------------------
    @staticmethod
    def refuse(why: str) -> NoReturn:
        raise OpRefusal(why)

    def opset(self, domain: str = "") -> int:
        return self.opsets.get(domain, self.opsets.get("ai.onnx", 1) if domain == "" else 1)

    @staticmethod
    def attr(node: Any, name: str, default: Any = None) -> Any:
        """The value of attribute ``name`` of ``node`` (numpy array for tensors)."""
        from onnx import helper, numpy_helper

        for a in node.attribute:
            if a.name == name:
                if a.type == a.TENSOR:
                    return numpy_helper.to_array(a.t)
                if a.type in (a.GRAPH, a.GRAPHS):
                    raise OpRefusal("subgraph attributes are not supported")
                value = helper.get_attribute_value(a)
                if isinstance(value, bytes):
                    return value.decode("utf-8", "replace")
                if isinstance(value, list) and value and isinstance(value[0], bytes):
                    return [v.decode("utf-8", "replace") for v in value]
                return value
        return default

    # -- constants as cells -------------------------------------------------------------------
    def cell(self, base: str, values: np.ndarray, elem: str, rank: int | None = None) -> Any:
        """A cell holding ``values`` (nested arrays of ``elem``, or a scalar); the expression
        reading it. The same values under the same name share one cell."""
        values = np.asarray(values)
        data = repr(values.tolist()).encode() if values.dtype == object else values.tobytes()
        key = (base, data + str(values.shape).encode(), elem)
        name = self._cells.get(key)
        if name is None:
            rank = values.ndim if rank is None else rank
            ref = self.builder.cell(base, nested_type(elem, rank), json_values(values, elem))
            name = self._cells[key] = ref["cell"]
        return {"cell": name}

    def flat_const(self, t: Tensor, shape: tuple[int, ...], base: str | None = None) -> Any:
        """A constant broadcast to ``shape`` as a flat array expression (a literal scalar when
        all its values are one value)."""
        values = np.broadcast_to(t.const, shape).reshape(-1)
        return self.cell(base or t.name, values, t.elem)

    # -- row tensors --------------------------------------------------------------------------
    def emit(self, name: str, elem: str, shape: tuple[int, ...], expr: Any) -> Tensor:
        """A row tensor named ``name`` computed by ``expr`` (a flat array), held by a let."""
        size = int(np.prod(shape, dtype=np.int64))
        if size > MAX_ROW_ELEMENTS:
            self.refuse(f"tensor {name!r} would hold {size} values per row "
                        f"(at most {MAX_ROW_ELEMENTS})")
        if isinstance(expr, str):
            return Tensor(name, elem, tuple(shape), symbol=expr)
        symbol = self.builder.let(name or "t", expr)
        return Tensor(name, elem, tuple(shape), symbol=symbol)

    def index_fcn(self, source: str, elem: str) -> dict[str, Any]:
        """``fcn(i: int) -> source[i]``."""
        return {"params": [{"i": "int"}], "ret": elem,
                "do": {"attr": source, "path": ["i"]}}

    def gather(self, name: str, t: Tensor, index: np.ndarray, shape: tuple[int, ...],
               pad: Any = None) -> Tensor:
        """Row tensor ``name`` of ``shape``: ``t``'s flat values at the flat positions
        ``index`` (-1: the ``pad`` value). The identity gather returns ``t`` itself."""
        index = np.asarray(index, dtype=np.int64).reshape(-1)
        if index.size == t.size and np.array_equal(index, np.arange(t.size)) and pad is None:
            return Tensor(name, t.elem, tuple(shape), symbol=t.symbol, onnx_type=t.onnx_type)
        source = t.symbol
        if (index < 0).any():
            if pad is None:
                self.refuse("internal: padded gather without a pad value")
            source = self.builder.let(f"{t.symbol}_padded",
                                      {"a.append": [t.symbol, literal(pad, t.elem)]})
            index = np.where(index < 0, t.size, index)
        ref = self.cell(f"{name}_index", index.astype(np.int64), "int")
        return self.emit(name, t.elem, shape, {"a.map": [ref, self.index_fcn(source, t.elem)]})

    def rows_expr(self, t: Tensor, groups: np.ndarray | list[list[int]], base: str,
                  pad: Any = None) -> Any:
        """``array<array<T>>``: for each group of flat positions of ``t`` (the rows of a
        2-D index array, or a ragged list; -1 is the ``pad`` value), the values there."""
        source = t.symbol
        ragged = isinstance(groups, list)
        flat = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if ragged \
            else np.asarray(groups).reshape(-1)
        if flat.size and (flat < 0).any():
            source = self.builder.let(f"{t.symbol}_padded",
                                      {"a.append": [t.symbol, literal(pad, t.elem)]})
            if ragged:
                groups = [[t.size if i < 0 else int(i) for i in g] for g in groups]
            else:
                groups = np.where(np.asarray(groups) < 0, t.size, groups)
        if ragged:
            ref = self.builder.cell(f"{base}_index", array_of(array_of("int")),
                                    [[int(i) for i in g] for g in groups])
        else:
            ref = self.cell(f"{base}_index", np.asarray(groups, dtype=np.int64), "int")
        inner = {"params": [{"r": array_of("int")}], "ret": array_of(t.elem),
                 "do": {"a.map": ["r", self.index_fcn(source, t.elem)]}}
        return {"a.map": [ref, inner]}

    def rows(self, t: Tensor, groups: Any, base: str, pad: Any = None) -> str:
        """:meth:`rows_expr` held by a let; its symbol."""
        return self.builder.let(base, self.rows_expr(t, groups, base, pad))

    def per_row(self, name: str, rows_symbol: str, elem_in: str, elem_out: str,
                shape: tuple[int, ...], body: Callable[[str], Any]) -> Tensor:
        """Row tensor ``name``: ``body(r)`` (a scalar expression of the array ``r``) for each
        row of the ``array<array<elem_in>>`` symbol ``rows_symbol``."""
        fcn = {"params": [{"r": array_of(elem_in)}], "ret": elem_out, "do": body("r")}
        return self.emit(name, elem_out, shape, {"a.map": [rows_symbol, fcn]})

    # -- broadcasting -------------------------------------------------------------------------
    def row_shape(self, t: Tensor, rank: int) -> tuple[int, ...]:
        """The per-row shape of ``t`` in an ONNX broadcast whose result has full rank
        ``rank`` (refused when the batch axes would not line up)."""
        if not t.is_const:
            if len(t.shape) + 1 != rank:
                self.refuse(f"broadcasting {t.name!r} (per-row shape {list(t.shape)}) against "
                            f"a tensor of rank {rank} would mix rows")
            return t.shape
        shape = tuple(t.const.shape)
        if len(shape) < rank:
            return shape
        if shape[0] != 1:
            self.refuse(f"constant {t.name!r} of shape {list(shape)} spans the batch axis")
        return shape[1:]

    def broadcast_shape(self, inputs: list[Tensor]) -> tuple[int, int, tuple[int, ...]]:
        rank = max(len(t.shape) + 1 if not t.is_const else t.const.ndim for t in inputs)
        try:
            shape = np.broadcast_shapes(*(self.row_shape(t, rank) for t in inputs))
        except ValueError:
            self.refuse("shapes do not broadcast: "
                        + ", ".join(f"{t.name}{list(t.shape)}" for t in inputs))
        return rank, 0, tuple(shape)

    def elementwise(self, name: str, inputs: list[Tensor], elem_out: str,
                    body: Callable[..., Any], param_elems: list[str] | None = None) -> Tensor:
        """Row tensor ``name``: ``body(*operands)`` for each element of the ONNX broadcast
        of ``inputs`` (at least one row tensor). A constant with a single value enters
        ``body`` as a literal; other operands as the parameters of an ``a.map`` or
        ``a.zipmap`` function."""
        rank, _, shape = self.broadcast_shape(inputs)
        size = int(np.prod(shape, dtype=np.int64))
        arrays: list[tuple[Any, str]] = []
        operands: list[Any] = []
        for k, t in enumerate(inputs):
            elem = param_elems[k] if param_elems else t.elem
            if t.is_const:
                values = np.broadcast_to(t.const.reshape(self.row_shape(t, rank)), shape)
                flat = values.reshape(-1)
                if flat.size and (flat == flat[0]).all() or (
                        flat.size and t.elem == "double" and np.isnan(flat.astype(float)).all()):
                    operands.append(literal(flat[0], t.elem))
                    continue
                arrays.append((self.cell(t.name, flat, t.elem), elem))
            else:
                if t.shape != shape:
                    grid = np.broadcast_to(index_grid(t.shape), shape)
                    t = self.gather(f"{t.name}_broadcast", t, grid, shape)
                arrays.append((t.symbol, elem))
            operands.append(f"p{len(arrays) - 1}")
        if not arrays:
            self.refuse("internal: elementwise op without arrays")
        if len(arrays) > 4:
            self.refuse("more than four row operands in one elementwise op")
        fcn = {"params": [{f"p{k}": e} for k, (_, e) in enumerate(arrays)], "ret": elem_out,
               "do": body(*operands)}
        op = "a.map" if len(arrays) == 1 else "a.zipmap"
        del size
        return self.emit(name, elem_out, shape, {op: [*(a for a, _ in arrays), fcn]})


def axis_groups(shape: tuple[int, ...], axes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Index rows grouping the flat positions of a tensor of per-row ``shape`` along
    ``axes`` (one row per combination of the other axes, in row-major order), and the flat
    positions of the result of a per-group map in the original layout."""
    grid = index_grid(shape)
    others = [a for a in range(len(shape)) if a not in axes]
    moved = np.transpose(grid, others + list(axes))
    m = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    groups = moved.reshape(-1, m)
    restore = np.argsort(groups.reshape(-1), kind="stable")
    return groups, restore


def norm_axes(ctx: ImportContext, axes: Any, full_rank: int) -> list[int]:
    """ONNX ``axes`` (of the full tensor) as per-row axes; the batch axis is refused."""
    out = []
    for a in [int(a) for a in np.asarray(axes).reshape(-1)]:
        a = a + full_rank if a < 0 else a
        if not 0 <= a < full_rank:
            ctx.refuse(f"axis {a} is out of range for rank {full_rank}")
        if a == 0:
            ctx.refuse("the op works across the batch axis (axis 0: one row per record)")
        out.append(a - 1)
    return sorted(set(out))
