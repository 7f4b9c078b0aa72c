"""``model.cluster.closest`` with an inline metric, on columns.

The metric's body runs once per cluster over all rows (the cluster's center is a constant of
the call), then each row keeps the first cluster whose distance is strictly below the lowest
so far, exactly like the scalar loop. Clusters that are not a constant array, and calls
without a metric (``math.dist``), run on the scalar engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.avro.types import AvroRecord
from pfa.document import ast as A

from .columns import Const, dense, take


def closest_form(vc: Any, node: A.Call) -> Any:
    """The kernel of ``model.cluster.closest(datum, clusters, metric)``."""
    from .vector import NoVector, _const_table, _fcn_ptype, _with_fallback

    if len(node.args) != 3 or not isinstance(node.args[2], A.FcnDef):
        raise NoVector("model.cluster.closest without an inline metric")
    item_t = node.args[1].type.items
    center = item_t.field("center") if isinstance(item_t, AvroRecord) else None
    if center is None:
        raise NoVector("clusters without a center")
    datum = vc.expr(node.args[0])
    clusters = vc.expr(node.args[1])
    fn = vc.inline(node.args[2], _fcn_ptype(node, 2))
    types = [node.args[0].type, center.type]

    def fast(env: Any) -> Any:
        ccol = clusters(env)
        if not isinstance(ccol, Const) or type(ccol.value) is not list or not ccol.value:
            return None
        items = ccol.value
        n = env.n
        dcol = datum(env)
        best = np.zeros(n, dtype=np.intp)
        low = None
        for i, c in enumerate(items):
            d = fn.call(env, [dcol, Const(c["center"])], types)
            if isinstance(d, Const) and type(d.value) not in (int, float):
                return None
            d = dense(d, n, np.float64)
            if low is None:
                low = d
                continue
            with np.errstate(invalid="ignore"):
                upd = d < low
            best[upd] = i
            low = np.where(upd, d, low)
        return take(_const_table(items, item_t), best)
    return _with_fallback(vc, node, fast)
