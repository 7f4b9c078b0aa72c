"""model.cluster.* and model.neighbor.*: against numpy nearest-neighbour searches."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import numpy as np
import pytest

from pfa.avro.types import DOUBLE, INT, AvroArray, parse_type
from pfa.check.signatures import FcnType
from tests.lib.helpers import fn, raises, site

VEC = AvroArray(DOUBLE)
MAT = AvroArray(VEC)
CLUSTER = parse_type({"type": "record", "name": "Cluster", "fields": [
    {"name": "center", "type": {"type": "array", "items": "double"}},
    {"name": "id", "type": "string"}]})
CLUSTERS = AvroArray(CLUSTER)
METRIC = FcnType((VEC, VEC), DOUBLE)


def euclid(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def make_clusters(centers):
    return [{"center": c, "id": f"c{i}"} for i, c in enumerate(centers)]


def test_closest_vs_numpy_argmin():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(8, 4))
    clusters = make_clusters(centers.tolist())
    closest = fn("model.cluster.closest", VEC, CLUSTERS)
    closest_m = fn("model.cluster.closest", VEC, CLUSTERS, METRIC)
    for x in rng.normal(size=(20, 4)):
        k = int(np.argmin(((centers - x) ** 2).sum(axis=1)))
        assert closest(x.tolist(), clusters) is clusters[k]
        assert closest_m(x.tolist(), clusters, euclid) is clusters[k]
    raises(29000, closest, [1.0], [])
    # ties go to the first cluster
    assert closest([0.0], make_clusters([[1.0], [-1.0]]))["id"] == "c0"


def test_closest_n():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(6, 3))
    clusters = make_clusters(centers.tolist())
    f = fn("model.cluster.closestN", INT, VEC, CLUSTERS)
    x = rng.normal(size=3)
    order = np.argsort(((centers - x) ** 2).sum(axis=1))
    assert [c["id"] for c in f(3, x.tolist(), clusters)] == [f"c{i}" for i in order[:3]]
    assert len(f(100, x.tolist(), clusters)) == 6
    assert f(0, x.tolist(), clusters) == []
    g = fn("model.cluster.closestN", INT, VEC, CLUSTERS, METRIC)
    assert [c["id"] for c in g(2, x.tolist(), clusters, euclid)] == [f"c{i}" for i in order[:2]]
    raises(29010, f, -1, x.tolist(), clusters)


def test_random_seeds():
    ctx = SimpleNamespace(rng=random.Random(42))
    new_cluster = FcnType((INT, VEC), CLUSTER)
    s = site("model.cluster.randomSeeds", MAT, INT, new_cluster, context=ctx)
    from pfa.lib import registry

    seeds = registry.get("model.cluster.randomSeeds").scalar_for(s)

    def make(i, vec):
        return {"center": vec, "id": str(i)}
    data = [[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [5.0, 6.0]]
    out = seeds(data, 3, make)
    assert [c["id"] for c in out] == ["0", "1", "2"]
    assert sorted(tuple(c["center"]) for c in out) == [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]
    raises(29020, seeds, data, 0, make)
    raises(29021, seeds, data, 4, make)
    raises(29022, seeds, [[1.0], [1.0, 2.0]], 2, make)


def test_kmeans_iteration_and_update_mean():
    data = [[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]]
    clusters = make_clusters([[1.0, 1.0], [9.0, 9.0], [100.0, 100.0]])
    update = fn("model.cluster.updateMean", MAT, CLUSTER, DOUBLE)
    it = fn("model.cluster.kmeansIteration", MAT, CLUSTERS, METRIC,
            FcnType((MAT, CLUSTER), CLUSTER))
    out = it(data, clusters, euclid, lambda d, c: update(d, c, 0.0))
    assert out[0] == {"center": [0.0, 0.5], "id": "c0"}
    assert out[1] == {"center": [10.0, 10.5], "id": "c1"}
    assert out[2] is clusters[2]  # no data matched: unchanged, update not called
    raises(29030, it, [], clusters, euclid, update)
    raises(29031, it, data, [], euclid, update)
    # weighted update: (sum + w * old) / (n + w)
    got = update([[1.0, 2.0], [3.0, 4.0]], {"center": [10.0, 10.0], "id": "x"}, 2.0)
    assert got == {"center": [(4.0 + 20.0) / 4, (6.0 + 20.0) / 4], "id": "x"}
    raises(29040, update, [], clusters[0], 0.0)
    raises(29041, update, [[1.0], [1.0, 2.0]], clusters[0], 0.0)
    raises(29041, update, [[1.0]], clusters[0], 0.0)


# -- model.neighbor --------------------------------------------------------------------------

def test_neighbor_mean():
    mean = fn("model.neighbor.mean", MAT)
    pts = [[1.0, 2.0], [3.0, 6.0]]
    assert mean(pts) == [2.0, 4.0]
    wmean = fn("model.neighbor.mean", MAT, FcnType((VEC,), DOUBLE))
    w = np.array([1.0, 3.0])
    assert np.allclose(wmean(pts, lambda p: w[pts.index(p)]), np.average(pts, axis=0, weights=w))
    raises(30000, mean, [])
    raises(30001, mean, [[1.0], [1.0, 2.0]])


def test_nearest_k_and_ball_vs_sklearn():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(3)
    book = rng.normal(size=(30, 3))
    nn = NearestNeighbors().fit(book)
    x = rng.normal(size=3)
    dist, idx = nn.kneighbors(x[None, :], n_neighbors=5)
    near = fn("model.neighbor.nearestK", INT, VEC, MAT)
    assert near(5, x.tolist(), book.tolist()) == book[idx[0]].tolist()
    near_m = fn("model.neighbor.nearestK", INT, VEC, MAT, METRIC)
    assert near_m(5, x.tolist(), book.tolist(), euclid) == book[idx[0]].tolist()
    assert near(50, x.tolist(), book.tolist()).__len__() == 30
    assert near(2, x.tolist(), []) == []
    raises(30010, near, -1, x.tolist(), book.tolist())
    raises(30011, near, 1, [1.0], book.tolist())
    r = float(dist[0, 3] + dist[0, 4]) / 2  # between the 4th and 5th neighbour
    ball = fn("model.neighbor.ballR", DOUBLE, VEC, MAT)
    inside = ball(r, x.tolist(), book.tolist())
    assert sorted(inside) == sorted(book[idx[0][:4]].tolist())
    ball_m = fn("model.neighbor.ballR", DOUBLE, VEC, MAT, METRIC)
    assert ball_m(r, x.tolist(), book.tolist(), euclid) == inside


@pytest.mark.parametrize("k", [1, 3])
def test_nearest_k_ties_stable(k):
    near = fn("model.neighbor.nearestK", INT, VEC, MAT)
    assert near(k, [0.0], [[1.0], [-1.0], [1.0]]) == [[1.0], [-1.0], [1.0]][:k]
