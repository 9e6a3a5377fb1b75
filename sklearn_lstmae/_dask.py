"""Scoring data held as dask arrays, chunk by chunk (dask is optional: it is
imported only when a dask array is passed)."""

import itertools

import numpy as np


def is_dask_array(value) -> bool:
    """Whether ``value`` is a dask array (without importing dask)."""
    return type(value).__module__.startswith("dask.") and hasattr(value, "chunks")


def _call(estimator, method: str, *args, **kwargs):
    return getattr(estimator, method)(*args, **kwargs)


def _graph_node(estimator):
    """The estimator as one node of the graph: shipped to a worker once, not
    with every task."""
    import dask

    return dask.delayed(estimator, pure=True)


def map_rows(estimator, method: str, X):
    """``estimator.method(rows) -> (n_rows,)`` over the row chunks of a dask
    array ``X``, lazily; its other axes become one chunk each."""
    import dask
    import dask.array as da

    X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    node, call = _graph_node(estimator), dask.delayed(_call, pure=True)
    parts = [
        da.from_delayed(call(node, method, block), shape=(rows,), dtype=np.float64)
        for block, rows in zip(X.to_delayed().ravel(), X.chunks[0], strict=True)
    ]
    return da.concatenate(parts)


def map_overlapping(estimator, method: str, series, depth: int, **kwargs):
    """``estimator.method(stretch, first, core, **kwargs) -> (len(core),)``
    over the chunks of a dask series (time on axis 0), lazily.

    Each call gets its chunk widened by ``depth`` steps on each side (where
    the series has them): ``stretch`` is ``series[first : ...]`` and ``core``
    the slice of it that is the chunk itself, whose values the method
    returns. A worker holds one widened chunk at a time.
    """
    import dask
    import dask.array as da

    series = series.rechunk({axis: -1 for axis in range(1, series.ndim)})
    bounds = np.cumsum((0, *series.chunks[0]))
    n_timesteps = int(bounds[-1])
    node, call = _graph_node(estimator), dask.delayed(_call, pure=True)
    parts = []
    for start, stop in itertools.pairwise(bounds):
        first, last = max(0, start - depth), min(n_timesteps, stop + depth)
        core = slice(int(start - first), int(stop - first))
        part = call(node, method, series[first:last], int(first), core, **kwargs)
        parts.append(da.from_delayed(part, shape=(stop - start,), dtype=np.float64))
    return da.concatenate(parts)
