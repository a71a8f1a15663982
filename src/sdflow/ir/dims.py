"""Dimension pass: which named dimensions each node and expression varies over."""

from __future__ import annotations


from ..errors import DimensionError
from ..expr import nodes as ex
from ..expr.allocation import AllocateByPriority
from ..expr.broadcast import union
from ..expr.dispatch import node_method
from .nodes import Node, NodeRef


def dims_text(dims) -> str:
    return "(" + ", ".join(d.name for d in dims) + ")" if dims else "no dimensions"


class DimensionPass:
    """Resolves ``node.dims`` and the dims of every sub-expression (in ``expr_dims``)."""

    def __init__(self, nodes: dict[str, Node]):
        self.nodes = nodes
        self.errors: list[DimensionError] = []
        self.expr_dims: dict[int, tuple] = {}
        self._state: dict[str, str] = {}
        self._owner = ""
        self._partial = False

    def run(self) -> None:
        for key in self.nodes:
            self.node_dims(key)
        for node in self.nodes.values():
            self._check_node(node)

    def node_dims(self, key: str) -> tuple:
        node = self.nodes[key]
        if self._state.get(key) == "done":
            return node.dims
        if node.declared_dims is not None:
            node.dims = tuple(node.declared_dims)
            self._state[key] = "done"
            return node.dims
        if self._state.get(key) == "busy":  # inside an algebraic loop: reported elsewhere
            self._partial = True  # (or a hidden stock's own rate: dims not final yet)
            return ()
        self._state[key] = "busy"
        owner, self._owner = self._owner, node.name
        parts = [node.equation, node.initial, node.rate]
        if node.kind == "const":
            dims: tuple = ()
        elif node.kind == "pipeline":
            dims = union(*(self.expr(p) for p in (node.equation, node.initial)))
        elif node.kind == "stock" and node.hidden:
            dims = union(self.expr(node.initial), self.expr(node.rate))
        elif node.kind == "stock":
            dims = ()  # a user stock without dims= is a scalar
        else:
            dims = union(*(self.expr(p) for p in parts if p is not None))
        self._owner = owner
        node.dims = dims
        self._state[key] = "done"
        return dims

    def expr(self, expr: ex.Expr) -> tuple:
        """Dimensions of an expression (memoised per node object)."""
        cached = self.expr_dims.get(id(expr))
        if cached is not None:
            return cached
        outer, self._partial = self._partial, False
        dims = self._compute(expr)
        if not self._partial:  # not memoised if it read a node still being resolved
            self.expr_dims[id(expr)] = dims
        self._partial = outer or self._partial
        return dims

    def _error(self, message: str, *names: str) -> None:
        self.errors.append(DimensionError(f"'{self._owner}': {message}",
                                          (self._owner,) + names))

    @node_method
    def _compute(self, e: ex.Expr) -> tuple:
        """One method per kind of node, chosen by its type; by default the union of the
        children's dimensions (arithmetic and builtins broadcast by name)."""
        return union(*(self.expr(c) for c in e.children()))

    @_compute.register(NodeRef)
    def _reference(self, e) -> tuple:
        return self.node_dims(e.key)

    @_compute.register(ex.Literal)
    @_compute.register(ex.Time)
    def _scalar(self, e) -> tuple:
        return ()

    @_compute.register(ex.Reduce)
    def _reduce(self, e) -> tuple:
        inner = self.expr(e.arg)
        if e.dim not in inner:
            self._error(f"{e.op}(..., over={e.dim.name}) of an expression that does not "
                        f"vary over '{e.dim.name}' (it has {dims_text(inner)})")
            return inner
        return tuple(d for d in inner if d is not e.dim)

    @_compute.register(ex.Select)
    def _select(self, e) -> tuple:
        inner = self.expr(e.arg)
        match = [d for d in inner if d.name == e.dim_name]
        if not match:
            self._error(f"selects {e.dim_name}={e.element!r} from an expression that does "
                        f"not vary over '{e.dim_name}' (it has {dims_text(inner)})")
            return inner
        try:
            match[0].index(e.element)
        except DimensionError as exc:
            self._error(str(exc))
        return tuple(d for d in inner if d is not match[0])

    @_compute.register(ex.Rename)
    def _rename(self, e) -> tuple:
        inner = list(self.expr(e.arg))
        renamed = list(inner)  # all at once, so rename(region=partner, partner=region)
        for old, new in e.mapping.items():  # swaps the two (a transpose)
            match = [i for i, d in enumerate(inner) if d.name == old]
            if not match:
                self._error(f"renames '{old}' but the expression varies over "
                            f"{dims_text(inner)}")
                continue
            if len(new) != len(inner[match[0]]):
                self._error(f"renames '{old}' ({len(inner[match[0]])} elements) as "
                            f"'{new.name}' ({len(new)} elements); lengths must agree")
                continue
            if new in inner and new.name not in e.mapping:
                self._error(f"renames '{old}' as '{new.name}', which the expression "
                            "already varies over")
                continue
            renamed[match[0]] = new
        if len(set(renamed)) < len(renamed):
            self._error(f"renames {list(e.mapping)} onto one dimension twice")
            return tuple(inner)
        return tuple(renamed)

    @_compute.register(ex.Reindex)
    def _reindex(self, e) -> tuple:
        inner = self.expr(e.arg)
        if e.source is None:
            if e.target in inner:
                self._error(f"places an expression along '{e.target.name}' that already "
                            "varies over it")
                return inner
            return inner + (e.target,)
        if e.source not in inner:
            self._error(f"reindexes '{e.source.name}' of an expression that varies over "
                        f"{dims_text(inner)}")
            return inner
        return tuple(e.target if d is e.source else d for d in inner)

    @_compute.register(AllocateByPriority)
    def _allocate(self, e) -> tuple:
        request, priority, width, supply = (self.expr(c) for c in e.children())
        for role, dims in (("request", request), ("priority", priority)):
            if e.dim not in dims:
                self._error(f"allocate_by_priority(..., over={e.dim.name}): the {role} "
                            f"does not vary over '{e.dim.name}' (it has "
                            f"{dims_text(dims)})")
        for role, dims in (("width", width), ("supply", supply)):
            if e.dim in dims:
                self._error(f"allocate_by_priority(..., over={e.dim.name}): the {role} "
                            f"varies over '{e.dim.name}'; it must be one value per "
                            "allocation (select or reduce it)")
        return union(request, priority, width, supply)

    def _check_node(self, node: Node) -> None:
        self._owner = node.name
        declared = node.declared_dims
        if declared is not None:
            for role, part in (("equation", node.equation), ("initial value", node.initial)):
                if part is None:
                    continue
                extra = [d for d in self.expr(part) if d not in declared]
                if extra:
                    names = ", ".join(d.name for d in extra)
                    self._error(
                        f"is declared over {dims_text(declared)} but its {role} also varies "
                        f"over ({names}); reduce it (e.g. sf.sum(..., over={extra[0].name})), "
                        f"select an element, or add {names} to dims=")
        elif node.kind == "stock" and not node.hidden and node.initial is not None:
            extra = self.expr(node.initial)
            if extra:
                self._error(f"is a scalar stock but its initial value varies over "
                            f"{dims_text(extra)}; declare dims= on the stock")
        if node.kind == "stock" and not node.hidden:
            for flow_key in node.inflows + node.outflows:
                flow = self.nodes[flow_key]
                extra = [d for d in flow.dims if d not in node.dims]
                if extra:
                    self._error(
                        f"receives flow '{flow.name}' that varies over {dims_text(flow.dims)},"
                        f" beyond the stock's {dims_text(node.dims)}; sum the flow over "
                        f"{extra[0].name} or give the stock that dimension", flow.name)
