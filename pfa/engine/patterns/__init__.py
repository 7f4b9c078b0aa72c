"""Shape-specific kernels of the two compilers, each module registering itself on import.

The compilers (:mod:`pfa.engine.scalar`, :mod:`pfa.engine.vector`) never import this package:
they ask their registries (``scalar_kernel`` / ``batch_kernel`` hooks, and the library
registry's ``batch_call`` whole-call forms) and run the general closures when nothing is
registered, with the same results. Importing this package imports every module in it, so
a new pattern is a new module here and nothing else (the engine imports the package once).

=================  ==========================================================================
module             kernels
=================  ==========================================================================
``direct``         scalar: frame-less inline functions, ``new`` arrays of record fields,
                   ``if isnan(a[i]) then C else a[i]``
``kmeans``         ``model.cluster.closest`` with the k-means metric: one recogniser of the
                   metric, the scalar fused loop and the batch matrix-product screen
``blocks``         batch: the tree datum record, ``defaultOnNull`` feature arrays and
                   ``a.map`` of ``cast.float`` as 2-D blocks
``tree_walks``     batch: ``model.tree.simpleTree`` / ``missingWalk`` walks of constant trees,
                   all the trees of a loop at once (node tables of ``forest`` and
                   ``simple_forest``)
=================  ==========================================================================
"""

from __future__ import annotations

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__, __name__ + "."):
    importlib.import_module(_info.name)
