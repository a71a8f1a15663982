"""Which elements of one variable each element of another reads.

Arithmetic pairs elements by dimension name, ``sum(x, over=region)`` reads every region,
``x.sel(region="Anhui")`` one of them, ``rename`` and ``reindex`` move elements along,
``allocate_by_priority`` lets every element of its dimension compete. `element_reads`
follows an expression tree; `link_reads` gives the matrix for a causal link.
"""

from __future__ import annotations

import numpy as np

from ..expr import nodes as ex
from ..expr.allocation import AllocateByPriority
from ..expr.broadcast import union
from ..ir.graph import ModelGraph
from ..ir.nodes import NodeRef
from .causal_graph import Link


def _sizes(dims) -> tuple[int, ...]:
    return tuple(len(d) for d in dims)


def _expand(dims: tuple, reads: np.ndarray, target: tuple, rest: int) -> np.ndarray:
    """``reads`` (``dims`` then ``rest`` source axes) laid out along ``target`` dims."""
    order = [dims.index(d) for d in target if d in dims]
    order += list(range(len(dims), len(dims) + rest))
    reads = reads.transpose(order)
    shape = tuple(len(d) if d in dims else 1 for d in target) + reads.shape[len(order) - rest:]
    return np.broadcast_to(reads.reshape(shape), _sizes(target) + shape[len(target):])


def element_reads(expr: ex.Expr, source: str, graph: ModelGraph) -> tuple[tuple, np.ndarray]:
    """Dims of ``expr`` and a boolean array ``(*expr dims, *source dims)``: which
    elements of node ``source`` each element of ``expr`` reads.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("r", ["a", "b"])
    >>> x = m.stock("x", initial=[1.0, 2.0], dims=[r])
    >>> share = m.aux("share", x / sf.sum(x, over=r))
    >>> g = m.graph()
    >>> element_reads(g.node("share").equation, "x", g)[1].astype(int).tolist()
    [[1, 1], [1, 1]]
    >>> first = m.aux("first", x.sel(r="a") * 2)
    >>> element_reads(m.graph().node("first").equation, "x", m.graph())[1].tolist()
    [True, False]
    """
    src = graph.nodes[source]
    rest = len(src.dims)

    def visit(e) -> tuple[tuple, np.ndarray]:
        match e:
            case NodeRef():
                dims = graph.nodes[e.key].dims
                if e.key == source:
                    eye = np.eye(src.size, dtype=bool).reshape(src.shape + src.shape)
                    return dims, eye
                return dims, np.zeros(_sizes(dims) + src.shape, bool)
            case ex.Literal() | ex.Time():
                return (), np.zeros(src.shape, bool)
            case ex.Reduce():
                dims, reads = visit(e.arg)
                axis = dims.index(e.dim)
                return tuple(d for d in dims if d is not e.dim), reads.any(axis=axis)
            case ex.Select():
                dims, reads = visit(e.arg)
                axis = next(i for i, d in enumerate(dims) if d.name == e.dim_name)
                position = dims[axis].index(e.element)
                return dims[:axis] + dims[axis + 1:], np.take(reads, position, axis=axis)
            case ex.Rename():
                dims, reads = visit(e.arg)
                return tuple(e.mapping.get(d.name, d) for d in dims), reads
            case ex.Reindex():
                return _reindex(e, *visit(e.arg), rest)
        # elementwise nodes read what their children read, broadcast by name
        parts = [visit(c) for c in e.children()]
        dims = union(*(p[0] for p in parts))
        reads = np.zeros(_sizes(dims) + src.shape, bool)
        for part_dims, part in parts:
            reads = reads | _expand(part_dims, part, dims, rest)
        if isinstance(e, AllocateByPriority):  # every element competes for the supply
            axis = dims.index(e.dim)
            reads = np.broadcast_to(reads.any(axis=axis, keepdims=True), reads.shape)
        return dims, reads

    return visit(expr)


def _reindex(e: ex.Reindex, dims: tuple, reads: np.ndarray, rest: int):
    index = np.asarray(e.index)
    if e.source is None:  # the argument sits at the target positions whose index is 0
        placed = np.stack([reads if i == 0 else np.zeros_like(reads) for i in index],
                          axis=len(dims))
        return dims + (e.target,), placed
    axis = dims.index(e.source)
    taken = np.take(reads, np.where(index >= 0, index, 0), axis=axis)
    mask_shape = [1] * taken.ndim
    mask_shape[axis] = len(index)
    taken = taken & (index >= 0).reshape(mask_shape)
    return tuple(e.target if d is e.source else d for d in dims), taken


def link_reads(graph: ModelGraph, link: Link) -> np.ndarray:
    """Boolean ``(target size, source size)``: which source elements each target element
    reads through ``link`` (flat element order, as numpy lays the dims out)."""
    target = graph.nodes[link.target]
    source = graph.nodes[link.source]
    if link.role in ("inflow", "outflow"):  # a stock element takes its own flow element
        eye = np.eye(source.size, dtype=bool).reshape(source.shape + source.shape)
        reads = _expand(source.dims, eye, target.dims, len(source.dims))
    else:
        expr = target.rate if link.role == "rate" else target.equation
        dims, reads = element_reads(expr, link.source, graph)
        reads = _expand(dims, reads, target.dims, len(source.dims))
    return np.asarray(reads).reshape(target.size, source.size)
