"""Generates the Python source of a compiled model: ``initialize`` and ``evaluate``.

``initialize(t, P, mem, n)`` returns the state at the start of a run; ``evaluate(t, y, P,
mem, k, commit, save)`` returns the derivative of the state and, when ``save``, the value
of every output variable. Constants named in ``params`` are read from the parameter matrix
``P``; every other constant is folded into the source.

Text from the model reaches the source only through `sdflow.compile.identifiers`: every
identifier is made by `python_identifier` (unique within the module, never one the code
uses itself), and names in comments and the docstring are ``repr()`` literals.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from ..expr.nodes import Noise
from ..ir.graph import ModelGraph
from ..ir.order import references
from . import noise, runtime
from .expressions import ExpressionWriter, Value, align
from .identifiers import comment, python_identifier, string_literal
from .layout import Slot, lay_out


def python_names(graph: ModelGraph, taken: set[str] | None = None) -> dict[str, str]:
    """A readable, unique Python identifier for every node (added to ``taken``)."""
    taken = set() if taken is None else taken
    return {key: python_identifier(node.name, taken) for key, node in graph.nodes.items()}


class ModuleWriter:
    """Writes the source of one graph for one set of per-run parameters."""

    #: the expression printer of this target
    expression_writer = ExpressionWriter

    def __init__(self, graph: ModelGraph, params: tuple[str, ...], scalar: bool,
                 outputs: tuple[str, ...]):
        self.graph, self.scalar, self.outputs = graph, scalar, outputs
        #: every identifier given out in the module: variables first, then tables
        self.taken: set[str] = set()
        self.names = python_names(graph, self.taken)
        self._tables: dict[tuple[str, str], str] = {}
        nodes = graph.nodes
        self.states, self.n_states = lay_out(graph.stocks, [nodes[k].shape for k in graph.stocks])
        self.params, self.n_params = lay_out(params, [nodes[k].shape for k in params])
        self.namespace: dict = {"np": np, "rt": runtime, "math": math, "noise": noise}
        self._lookups: dict[int, tuple[str, str]] = {}
        self.writer = self.expression_writer(scalar, self._reference, self._lookup)

    # -- references ----------------------------------------------------------------------
    def _reference(self, key: str) -> Value:
        node = self.graph.nodes[key]
        if node.kind == "const" and key not in self.params:
            return self._folded(key)
        batched = not (self.scalar or (node.kind == "data" and not node.dims))
        return Value(self.names[key], node.dims, batched)

    def _folded(self, key: str) -> Value:
        node = self.graph.nodes[key]
        if node.value.ndim == 0:
            return Value(self.writer.number(node.value), (), False)
        name = self.table_name("C_", key)
        self.namespace[name] = node.value.reshape((1,) + node.value.shape)
        return Value(name, node.dims, True)

    def table_name(self, prefix: str, key: str) -> str:
        """The identifier of a table held in the module's namespace for node ``key``
        (``C_`` folded constant, ``DX_``/``DY_`` data times and values); one per pair."""
        if (prefix, key) not in self._tables:
            self._tables[prefix, key] = python_identifier(
                self.graph.nodes[key].name, self.taken, prefix)
        return self._tables[prefix, key]

    def _lookup(self, lookup) -> tuple[str, str]:
        if id(lookup) not in self._lookups:
            xs = python_identifier(lookup.name, self.taken, "LX_")
            ys = python_identifier(lookup.name, self.taken, "LY_")
            if self.scalar:
                self.namespace[xs], self.namespace[ys] = lookup.x.tolist(), lookup.y.tolist()
            else:
                self.namespace[xs], self.namespace[ys] = lookup.x, lookup.y
            self._lookups[id(lookup)] = (xs, ys)
        return self._lookups[id(lookup)]

    # -- pieces --------------------------------------------------------------------------
    def _matrix_read(self, matrix: str, slot: Slot) -> str:
        if self.scalar:
            return f"{matrix}[{slot.offset}]"
        if not slot.shape:
            return f"{matrix}[:, {slot.offset}]"
        shape = ", ".join(map(str, slot.shape))
        return f"{matrix}[:, {slot.offset}:{slot.stop}].reshape(n, {shape})"

    def _assign(self, key: str, expr) -> str:
        node = self.graph.nodes[key]
        value = self.writer.write(expr)
        code = align(value, node.dims)
        if not self.scalar and (not value.batched or set(value.dims) != set(node.dims)):
            # e.g. a region x partner stock starting at one number: give it its full shape,
            # or sums over a dimension it lacks would count one element instead of all
            code = f"rt.spread({code}, {tuple(node.shape)!r})"
        return f"{self.names[key]} = {code}"

    def _data(self, key: str) -> str:
        node = self.graph.nodes[key]
        name = self.names[key]
        xs, ys = self.table_name("DX_", key), self.table_name("DY_", key)
        self.namespace[xs] = node.times.tolist() if self.scalar else node.times
        self.namespace[ys] = node.series.tolist() if self.scalar else node.series
        if self.scalar:
            return f"{name} = rt.interp_scalar(t, {xs}, {ys})"
        if node.dims:
            return f"{name} = rt.interp_rows(t, {xs}, {ys})"
        return f"{name} = np.interp(t, {xs}, {ys})"

    @staticmethod
    def _memory(key: str) -> str:
        """The slot of node ``key`` in the run's memory ``mem`` (its key as a literal)."""
        return f"mem[{string_literal(key)}]"

    def _param_lines(self) -> list[str]:
        return [f"{self.names[k]} = {self._matrix_read('P', s)}" for k, s in self.params.items()]

    def _node_line(self, key: str) -> str:
        node = self.graph.nodes[key]
        if node.kind == "data":
            return self._data(key)
        if isinstance(node.equation, Noise):
            return self._noise(key)
        return self._assign(key, node.equation)

    def _noise(self, key: str) -> str:
        """A hidden variable of random draws: its stream is its key and stream ID, its
        step the loop's ``k`` (`sdflow.compile.noise`)."""
        node = self.graph.nodes[key]
        e = node.equation
        stream = int.from_bytes(hashlib.blake2b(f"{e.label}|{e.stream!r}".encode(),
                                                digest_size=8).digest(), "little")
        args = ", ".join(align(self.writer.write(a), node.dims) for a in e.args)
        if self.scalar:
            return f"{self.names[key]} = noise.draw_scalar(mem, {stream}, k, {e.dist!r}, {args})"
        return (f"{self.names[key]} = noise.draw(mem, {stream}, k, n, {tuple(node.shape)!r}, "
                f"{e.dist!r}, {args})")

    # -- functions -------------------------------------------------------------------------
    def initialize_source(self) -> list[str]:
        graph = self.graph
        lines = ["def initialize(t, P, mem, n):",
                 '    """State of every run at the start time."""',
                 '    dt = mem["dt"]']
        if graph.noise:  # random draws at the start are those of the first step
            lines.append("    k = 0")
        lines += ["    " + line for line in self._param_lines()]
        for key in graph.init_order:
            node = graph.nodes[key]
            name = self.names[key]
            if node.kind == "const":
                continue
            lines.append("    " + comment(node.name))
            if node.kind == "stock":
                lines.append("    " + self._assign(key, node.initial))
            elif node.kind == "initial":
                lines.append("    " + self._assign(key, node.equation))
                lines.append(f'    {self._memory(key)} = {self._state_copy(key)}')
            elif node.kind == "pipeline":
                delay = self.writer.write(node.delay_time).code
                initial = align(self.writer.write(node.initial), node.dims)
                lines.append(f"    steps = rt.pipeline_steps({delay}, dt, n)")
                lines.append(f"    {self._memory(key)} = rt.pipeline_new({initial}, steps, n, "
                             f"{tuple(node.shape)!r})")
                lines.append(f"    {name} = rt.pipeline_read({self._memory(key)}, 0)")
            elif node.init_equation is not None:  # ACTIVE INITIAL: its value at the start
                lines.append("    " + self._assign(key, node.init_equation))
            else:
                lines.append("    " + self._node_line(key))
        if self.scalar:
            items = ", ".join(f"float({self.names[k]})" for k in self.states)
            lines.append(f"    return [{items}]")
        else:
            lines.append(f"    y = np.empty((n, {self.n_states}))")
            for key, slot in self.states.items():
                lines.append(f"    y[:, {self._columns(slot)}] = {self._broadcast_block(key)}")
            lines.append("    return y")
        return lines

    def _state_copy(self, key: str) -> str:
        node = self.graph.nodes[key]
        name = self.names[key]
        if self.scalar:
            return f"float({name})"
        shape = ", ".join(["n"] + [str(s) for s in node.shape]) + ("," if not node.shape else "")
        return f"np.broadcast_to({name}, ({shape})).copy()"

    @staticmethod
    def _columns(slot: Slot) -> str:
        return f"{slot.offset}:{slot.stop}" if slot.shape else str(slot.offset)

    def _broadcast_block(self, key: str) -> str:
        node = self.graph.nodes[key]
        name = self.names[key]
        if not node.shape:
            return name
        shape = ", ".join(["n"] + [str(s) for s in node.shape])
        return f"np.broadcast_to({name}, ({shape})).reshape(n, {node.size})"

    def evaluate_source(self) -> list[str]:
        # Vensim holds STEP, PULSE and RAMP constant over a Runge-Kutta step: they read the
        # time at the start of the step (kept by its first, committing evaluation)
        held = any(self.graph.nodes[k].kind != "pipeline" for k in self.graph.discrete)
        self.writer.input_time = "t_input" if held else "t"
        try:
            return self._evaluate_source(held)
        finally:
            self.writer.input_time = "t"

    def _evaluate_source(self, held: bool) -> list[str]:
        graph = self.graph
        nodes = graph.nodes
        needed = self._needed_for_rates()
        lines = ["def evaluate(t, y, P, mem, k, commit, save):",
                 '    """Derivatives of the state at time t (and every output if save)."""',
                 '    dt = mem["dt"]']
        if held:
            lines += ["    if commit:",
                      '        mem["t_input"] = t_input = t',
                      "    else:",
                      '        t_input = mem.get("t_input", t)']
        if not self.scalar:
            lines.append("    n = y.shape[0]")
        for key, slot in self.states.items():
            lines.append(f"    {self.names[key]} = {self._matrix_read('y', slot)}")
        for key, node in nodes.items():
            if node.kind == "initial":
                lines.append(f"    {self.names[key]} = {self._memory(key)}")
            elif node.kind == "pipeline":
                read = (f"float(rt.pipeline_read({self._memory(key)}, k)[0])" if self.scalar
                        else f"rt.pipeline_read({self._memory(key)}, k)")
                lines.append(f"    {self.names[key]} = {read}")
        lines += ["    " + line for line in self._param_lines()]
        rest = []
        for key in graph.flow_order:
            node = nodes[key]
            if node.kind == "pipeline":
                continue
            target = lines if key in needed else rest
            target.append("    " + comment(node.name))
            target.append("    " + self._node_line(key))
        for key, node in nodes.items():
            if node.kind == "pipeline":
                lines.append("    if commit:")
                lines.append(f"        rt.pipeline_write({self._memory(key)}, k, "
                             f"{self._broadcast_pipe(key)})")
        if self.scalar:
            rates = ", ".join(self.writer.write(nodes[k].rate).code for k in self.states)
            lines.append(f"    dy = [{rates}]")
        else:
            lines.append(f"    dy = np.empty((n, {self.n_states}))")
            for key, slot in self.states.items():
                # assigning into the columns broadcasts rates shared by all runs; a stock
                # with several dimensions writes through a view shaped like it
                target = f"dy[:, {self._columns(slot)}]"
                if len(slot.shape) > 1:
                    shape = ", ".join(["n"] + [str(s) for s in slot.shape])
                    target = f"{target}.reshape({shape})[...]"
                rate = align(self.writer.write(nodes[key].rate), nodes[key].dims)
                lines.append(f"    {target} = {rate}")
        lines.append("    if not save:")
        lines.append("        return dy, None")
        lines += rest
        outputs = ", ".join(self.names[k] for k in self.outputs)
        lines.append(f"    return dy, ({outputs}{',' if len(self.outputs) == 1 else ''})")
        return lines

    def _broadcast_pipe(self, key: str) -> str:
        node = self.graph.nodes[key]
        code = align(self.writer.write(node.equation), node.dims)
        if self.scalar:
            return code
        shape = ", ".join(["n"] + [str(s) for s in node.shape]) + ("," if not node.shape else "")
        return f"np.broadcast_to({code}, ({shape}))"

    def _needed_for_rates(self) -> set[str]:
        nodes = self.graph.nodes
        frontier = [d for k in self.states for d in references(nodes[k].rate)]
        frontier += [d for k, n in nodes.items() if n.kind == "pipeline"
                     for d in references(n.equation)]
        needed: set[str] = set()
        while frontier:
            key = frontier.pop()
            if key in needed:
                continue
            needed.add(key)
            if nodes[key].kind in ("aux", "flow"):
                frontier.extend(references(nodes[key].equation))
        return needed

    def source(self) -> str:
        path = "scalar" if self.scalar else "batched"
        header = [string_literal(f"Generated by sdflow from model {self.graph.name!r} "
                                 f"({path} code path)."), ""]
        body = self.initialize_source() + ["", ""] + self.evaluate_source()
        return "\n".join(header + body) + "\n"
