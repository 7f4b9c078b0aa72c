"""IsotonicRegressionModel: Spark's piecewise-linear prediction.

Spark binary-searches the boundaries (``java.util.Arrays.binarySearch``): a value equal to a
boundary takes the prediction of the boundary the search lands on (among equal boundaries,
the one Java's search finds, worked out here at export time); one below the first or above
the last boundary takes the first or last prediction; one in between is interpolated
``y1 + (y2 - y1) * (x - x1) / (x2 - x1)``; NaN takes the last prediction.
"""

from __future__ import annotations

from typing import Any

from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import REGRESSION, regression_column
from pfa.exporters.spark.exprs import doubles_cell, fcn, if_
from pfa.exporters.spark.flow import DOUBLE, VECTOR, Flow
from pfa.exporters.spark.saved import SavedStage


def java_binary_search(values: list[float], key: float) -> int:
    """The index ``java.util.Arrays.binarySearch(double[], key)`` returns for a present key."""
    lo, hi = 0, len(values) - 1
    while lo <= hi:
        mid = (lo + hi) >> 1
        v = values[mid]
        if v < key:
            lo = mid + 1
        elif v > key:
            hi = mid - 1
        else:
            return mid
    return -(lo + 1)


@converter("spark", REGRESSION, "IsotonicRegressionModel", "regressor",
           "isotonic and antitonic; featureIndex of a vector column or a double column")
def isotonic_regression(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    bounds = [float(v) for v in row["boundaries"]]
    preds = [float(v) for v in row["predictions"]]
    if not bounds or len(bounds) != len(preds):
        raise ValueError("the saved boundaries and predictions differ in length")
    name = stage.param("featuresCol", "features")
    col = flow.column(name, (VECTOR, DOUBLE))
    value = flow.non_null(col, name)
    if col.base == VECTOR:
        index = int(stage.param("featureIndex", 0))
        if col.size is not None and index >= col.size:
            flow.refuse(f"featureIndex={index} is outside the {col.size}-element vector")
        value = {"attr": value, "path": [index]}
    b = flow.builder
    x = b.let("iso_x", value)
    found = [java_binary_search(bounds, v) for v in bounds]  # first equal index → Java's
    bcell = doubles_cell(flow, "boundaries", bounds)
    pcell = doubles_cell(flow, "predictions", preds)
    fcell = b.cell("found", {"type": "array", "items": "int"}, found)
    first = b.let("iso_equal", {"a.index": [bcell, fcn({"v": "double"}, "boolean",
                                                       {"==": ["v", x]})]})
    above = b.let("iso_above", {"a.index": [bcell, fcn({"v": "double"}, "boolean",
                                                       {">": ["v", x]})]})
    n = len(bounds)

    def at(cell: Any, i: Any) -> dict[str, Any]:
        return {"attr": cell, "path": [i]}

    interp = {"do": [
        {"let": {"x1": at(bcell, {"-": [above, 1]}), "y1": at(pcell, {"-": [above, 1]}),
                 "x2": at(bcell, above), "y2": at(pcell, above)}},
        {"+": ["y1", {"/": [{"*": [{"-": ["y2", "y1"]}, {"-": [x, "x1"]}]},
                            {"-": ["x2", "x1"]}]}]}]}
    expr = if_({">=": [first, 0]}, at(pcell, at(fcell, first)),
               if_({"==": [above, 0]}, at(pcell, 0),
                   if_({"==": [above, -1]}, at(pcell, n - 1), interp)))
    regression_column(stage, flow, expr)


