"""pysd's abstract model -> a sdflow `Model`, one DSL statement per element.

Constants become ``m.const`` (so they can be changed per run), ``INTEG`` elements a stock
with one net flow, graphical functions ``m.lookup``, GET XLS/DIRECT data ``m.data``, the
rest ``m.aux``. Elements defined piece by piece (per element or per subrange) are
assembled over their full dimensions; macros are expanded at each call.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
from pysd.builders.python.subscripts import SubscriptManager
from pysd.translators.structures import abstract_expressions as ae
from pysd.translators.structures.abstract_model import AbstractControlElement

from ..dsl import functions as fn
from ..dsl.model import Model
from ..dsl.variables import Const
from ..names import name_key
from ..expr.broadcast import union
from . import external, lookups
from ..errors import ImportModelError, MissingDependencyError, UnsupportedFeatureError
from .expressions import ExpressionTranslator, Term
from .run_data import RunData
from .settings import depends_on_time, fold_setting
from .units import vensim_units
from .subscripts import SubscriptSpace

CONTROL = {"initial time": "start", "final time": "stop", "time step": "dt",
           "saveper": "saveper"}
NUMERIC = (int, float, np.integer, np.floating, np.ndarray)


def clean(name: str) -> str:
    """pysd's reference form of a name: lower case, spaces as underscores."""
    return name.lower().replace(" ", "_")


def display_name(name: str) -> str:
    """A Vensim name without the quotes that allow special characters in it."""
    if len(name) > 1 and name[0] == name[-1] == '"':
        return name[1:-1]
    return name


class Scope:
    """The names visible in one section: the main model, or one expansion of a macro."""

    def __init__(self, section, prefix: str = "", params: dict | None = None):
        self.section = section
        self.prefix = prefix
        self.params = params or {}  # py name -> Term of the argument
        # pysd's parsers write references as "clean" names (lower case, spaces as _)
        self.elements = {clean(e.name): e for e in section.elements}
        # pysd keeps XMILE's escapes in a quoted reference ("a \"b\"" gives a_\"b\"), so
        # a name with quotes or backslashes is also found in its escaped form
        escaped = {py.replace("\\", "\\\\").replace('"', '\\"'): e
                   for py, e in self.elements.items() if '"' in py or "\\" in py}
        self.elements.update(escaped)
        self.py_params = {p: clean(p) for p in section.params}
        #: name keys in use, so the net flows made for stocks get names of their own
        self.taken = {name_key(self.name(e)) for e in section.elements}

    def name(self, element) -> str:
        return f"{self.prefix}{display_name(element.name)}"


class ModelBuilder:
    """Builds one sdflow model from an abstract model read from ``path``."""

    def __init__(self, abstract, path: Path, units: bool = True,
                 declared_dims: dict | None = None, graph_points: dict | None = None,
                 data_files: list | None = None):
        self.path = Path(path)
        #: the run's data files, for data variables without a source (`run_data`)
        self.run_data = RunData(list(data_files or []), self.path.parent)
        #: name key -> the dimension names the file declares for a variable (XMILE)
        self.declared_dims = declared_dims or {}
        #: name key -> the x points of a variable's graphical function (XMILE <xpts>)
        self.graph_points = graph_points or {}
        #: whether to keep the model's unit text (translated by `vensim_units`)
        self.units = units
        self.time_units = None
        sections = list(abstract.sections)
        self.main = next(s for s in sections if s.type == "main")
        self.macros = {}
        for s in sections:
            if s.type == "macro":
                self.macros[clean(s.name)] = s
        self.expansions = 0
        self.dims_of: dict[str, tuple] = {}
        self.lookups: dict[str, object] = {}
        #: (owner, id of pysd's table) -> the sdflow lookup of a variable's own table
        self.inline_tables: dict[tuple, object] = {}
        self.positions: dict[str, object] = {}

    # -- entry point -------------------------------------------------------------------
    def build(self) -> Model:
        settings = self._time_settings()
        self.model = Model(self.path.stem, **settings)
        manager = SubscriptManager(self.main.subscripts, self.path.parent)
        self.space = SubscriptSpace(self.model, manager.subscripts, manager.mapping)
        self.range_py = {clean(n): n for n in self.space.ranges}
        self.element_py = {clean(e): e for e in self.space.all_elements()}
        scope = Scope(self.main)
        self._build_scope(scope)
        self._noise_seed()
        if self.varying:  # every control variable is re-read along the run (auxes of TIME)
            self.model.vary_time_settings(**{
                CONTROL[key]: self.model[element.name] for key, element in self.controls.items()})
        return self.model

    def _noise_seed(self) -> None:
        """Vensim's NOISE SEED, a variable (usually a constant) whose value seeds the
        RANDOM functions (Vensim's documentation, "NOISE SEED"), as the model's
        `Model.noise_seed`: the seed of runs given none."""
        var = next((v for v in self.model.variables if name_key(v.name) == "noise seed"),
                   None)
        if var is None:
            return
        value = var.value if isinstance(var, Const) and np.ndim(var.value) == 0 else None
        if value is None or value != int(value) or value < 0:
            raise ImportModelError(
                f"variable '{var.name}': Vensim's NOISE SEED seeds the RANDOM functions and "
                "must be a whole number >= 0 (Vensim: an integer below 2^31), e.g. "
                "NOISE SEED = 1234", var.name)
        self.model.noise_seed = int(value)

    def _time_settings(self) -> dict:
        values, by_py = {}, {}
        scope = Scope(self.main)
        for py, element in scope.elements.items():
            key = name_key(element.name)
            if key in CONTROL:
                by_py[py] = element

        self.controls = {name_key(e.name): e for e in by_py.values()}
        self.varying = {key for key, e in self.controls.items()
                        if depends_on_time(e.components[0].ast, scope.elements)}
        folded = {key: fold_setting(e.components[0].ast, e, scope.elements)
                  for key, e in self.controls.items() if key not in self.varying}
        missing = [k for k in ("initial time", "final time", "time step")
                   if k not in self.controls]
        if missing:
            raise ImportModelError(f"the model defines no {', '.join(missing).upper()}; "
                                   "add it, e.g. FINAL TIME = 100")
        values.update({CONTROL[key]: value for key, value in folded.items()})
        if self.varying:
            # numbers only as the model's defaults: the run follows the settings' equations
            values.setdefault("start", 0.0)
            values.setdefault("dt", 1.0)
            values["stop"] = values["start"] + values["dt"]
            values.pop("saveper", None)
        if self.units:
            texts = [vensim_units(e.units) for e in by_py.values()]
            self.time_units = next((t for t in texts if t), None)
            if self.time_units:
                values["time_units"] = self.time_units
        self.control_values = {} if self.varying else folded
        self.fixed_controls = folded
        return values

    # -- sections ------------------------------------------------------------------------
    def _build_scope(self, scope: Scope) -> None:
        # dims first, so references can be read at any subscript
        for element in scope.section.elements:
            if isinstance(element, AbstractControlElement) or name_key(element.name) in CONTROL:
                if name_key(element.name) in CONTROL:
                    self.dims_of[name_key(scope.name(element))] = ()
                continue
            subs = [list(c.subscripts[0]) for c in element.components]
            self.dims_of[name_key(scope.name(element))] = self.space.full_dims(
                element.name, subs, self.declared_dims.get(name_key(element.name))
            ) if any(subs) else ()
        ordered = sorted(scope.section.elements, key=lambda e: not lookups.is_table(e))
        for element in ordered:
            if name_key(element.name) in CONTROL:
                key = name_key(element.name)
                if scope.prefix:
                    continue
                if key in self.varying:
                    self._build_element(scope, element)
                elif self.varying:  # a constant setting, re-read along with the others
                    self.model.aux(element.name, self.fixed_controls[key],
                                   units=self.time_units)
                else:
                    self.model.const(element.name, self.control_values[key],
                                     units=self.time_units)
                continue
            try:
                self._build_element(scope, element)
            except (ImportModelError, MissingDependencyError):  # already say what to do
                raise
            except Exception as exc:  # a DSL error: say which variable it came from
                raise ImportModelError(f"variable '{element.name}': {exc}",
                                       element.name) from exc

    def _build_element(self, scope: Scope, element) -> None:
        name = scope.name(element)
        dims = self.dims_of[name_key(name)]
        comps = element.components
        asts = [c.ast for c in comps]
        doc = element.documentation or ""
        kwargs = {"dims": list(dims) if dims else None, "doc": doc}
        # macro bodies keep no units: their units depend on the arguments of each call
        units = vensim_units(element.units) if self.units and not scope.prefix else None
        if lookups.is_table(element):
            self.lookups[name_key(name)] = lookups.build_lookup(self, element, name, dims)
            return
        if all(isinstance(a, (ae.GetDataStructure)) for a in asts):
            times, values, keyword = external.read_data(comps, dims, self.space,
                                                        self.path.parent, element.name)
            self._data_series(name, dims, times, values, keyword, units, kwargs)
            return
        if all(isinstance(a, ae.DataStructure) for a in asts):
            keyword = self._run_data_keyword(element, dims)
            times, values, _ = self.run_data.series(element.name,
                                                    [list(d.elements) for d in dims])
            self._data_series(name, dims, times, values, keyword, units, kwargs)
            return
        if all(isinstance(a, NUMERIC + (ae.GetConstantsStructure,)) for a in asts):
            value = self._constant_array(element, dims, scope)
            self.model.const(name, value if dims else float(value), units=units, **kwargs)
            return
        if any(isinstance(a, ae.IntegStructure) for a in asts):
            if not all(isinstance(a, ae.IntegStructure) for a in asts):
                raise ImportModelError(f"variable '{element.name}': some elements are "
                                       "stocks (INTEG) and others are not", element.name)
            flows = [a.flow for a in asts]
            if len(flows) > 1 and all(f == flows[0] for f in flows[1:]):
                # XMILE lists the flows of a stock defined element by element once, for
                # all its elements: each element reads its own element of the flows
                translator = self._translator(scope, element.name)
                translator.lhs = list(dims)
                rate = translator.translate(flows[0])
            else:
                rate = self._assemble(scope, element, dims, flows)
            initial = self._assemble(scope, element, dims, [a.initial for a in asts])
            stock = self.model.stock(name, initial=initial.expr, units=units, **kwargs)
            equation = rate.expr
            if any(a.non_negative for a in asts):
                # XMILE non-negative stock: the stock is floored at 0 after each step
                # (PySD's NonNegativeInteg); exact for Euler at the model's dt
                equation = fn.max(equation, -stock / self._dt())
            self.model.flow(self._net_flow_name(scope, name), equation, sink=stock,
                            **kwargs)
            return
        equation = self._assemble(scope, element, dims, asts)
        self.model.aux(name, equation.expr, units=units, **kwargs)

    # -- pieces --------------------------------------------------------------------------
    def _net_flow_name(self, scope: Scope, stock: str) -> str:
        """``"<stock> net flow"``, numbered when the model already has that name (a file
        written by `write_xmile` holds the net flows of the model it came from)."""
        name, number = f"{stock} net flow", 1
        while name_key(name) in scope.taken:
            number += 1
            name = f"{stock} net flow {number}"
        scope.taken.add(name_key(name))
        return name

    def _dt(self):
        """The time step: a number, or the TIME STEP variable when it changes with TIME."""
        if "time step" in self.varying:
            return self.model.ref(self.controls["time step"].name)
        return self.model.dt

    def _translator(self, scope: Scope, variable: str) -> ExpressionTranslator:
        translator = ExpressionTranslator(
            variable, lambda py, subs, args, tr: self._resolve(scope, py, subs, args, tr),
            self.space, self._inline_lookup,
            defines=lambda py: py in scope.elements or py in self.macros,
            constant=lambda node: self._constant_value(scope, node),
            dt=None if "time step" in self.varying else self.model.dt,
            start=self.model.start)
        translator.sample_if_true = self._sample_if_true
        return translator

    def _data_series(self, name: str, dims, times, values, keyword: str, units,
                     kwargs: dict) -> None:
        """A data variable from a series (time first, then ``dims``), read between its
        times as Vensim's ``keyword`` says."""
        if keyword == "interpolate" and not np.isnan(values).any():
            self.model.data(name, values, times=times, **kwargs)
            return
        # missing values or a step keyword: a graphical function of TIME per element
        table = lookups.series_lookup(self, name, dims, times, values, keyword)
        time = Term(self.model.time)
        value = lookups.call_lookup(self, table, [], time, name, set()) \
            if isinstance(table, lookups.ArrayedLookup) else Term(table(self.model.time))
        self.model.aux(name, value.expr, units=units, **kwargs)

    def _run_data_keyword(self, element, dims) -> str:
        """How a data variable without a source reads between its times; it must be one
        definition over its full dimensions (its values come from one table)."""
        comps = element.components
        keywords = {c.keyword or "interpolate" for c in comps}
        full = [d.name for d in dims]
        ranges = [self.space.range_name(s) for s in comps[0].subscripts[0]]
        if len(comps) > 1 or len(keywords) > 1 or ranges != full:
            raise UnsupportedFeatureError(
                f"variable '{element.name}': a data variable without a source defined in "
                "parts (by element or subrange) is not supported; define it once over its "
                "dimensions", element.name)
        keyword = keywords.pop()
        if keyword not in ("interpolate", "hold_backward", "look_forward", "raw"):
            raise UnsupportedFeatureError(
                f"variable '{element.name}': data keyword '{keyword}' is not supported "
                "(interpolate, hold backward, look forward, raw)", element.name)
        return keyword

    def _part(self, scope: Scope, element, component, ast, number: int) -> Term:
        """One component of an element mixing data, constants and equations, as a hidden
        variable over the ranges its subscripts name (elements dropped)."""
        subs = list(component.subscripts[0])
        full = self.dims_of[name_key(scope.name(element))]
        ranges = [self.space.dims[r] for r in map(self.space.range_name, subs) if r]
        keep = [i for i, s in enumerate(subs) if self.space.range_name(s)]
        name = f"{scope.name(element)} part{number + 1}"
        if isinstance(ast, ae.GetDataStructure):
            times, values, keyword = external.read_data([component], full, self.space,
                                                        self.path.parent, element.name)
            part, axis = values, 1
            for i, text in enumerate(subs):
                index = [full[i].index(e) for e in self.space.elements_of(text)]
                if i in keep:
                    part, axis = np.take(part, index, axis=axis), axis + 1
                else:
                    part = np.take(part, index[0], axis=axis)
            if keyword != "interpolate" or np.isnan(part).any():
                raise UnsupportedFeatureError(
                    f"variable '{element.name}': data with missing values or a keyword "
                    "mixed with other definitions is not supported", element.name)
            var = self.model.data(name, part, times=times, dims=ranges or None)
            return Term(var, tuple(ranges))
        if isinstance(ast, ae.GetConstantsStructure):
            data = external.read_constants(ast, component, full, self.space,
                                           self.path.parent, element.name)
        else:
            data = np.asarray(ast, dtype=float)
        shape = [len(self.space.elements_of(s)) for s in subs]
        block = np.broadcast_to(data, shape) if np.ndim(data) == 0 else \
            np.asarray(data, dtype=float).reshape(shape)
        block = block.reshape([shape[i] for i in keep])
        var = self.model.const(name, block if ranges else float(block), dims=ranges or None)
        return Term(var, tuple(ranges))

    def _sample_if_true(self, owner: str, condition: Term, value: Term, initial: Term):
        """SAMPLE IF TRUE as a hidden stock holding the last sampled value.

        The output is ``value`` where ``condition`` holds, else the held value; the stock
        moves to the output in one step (PySD's SampleIfTrue; exact with Euler at the
        model's dt).
        """
        dims = union(condition.dims, value.dims, initial.dims)
        name, count = f"{owner} sample", itertools.count(2)
        while name in self.model:
            name = f"{owner} sample{next(count)}"
        held = self.model.stock(name, initial=initial.expr, dims=list(dims) or None,
                                doc=f"value last sampled by SAMPLE IF TRUE in '{owner}'")
        output = fn.if_then_else(condition.expr, value.expr, held)
        self.model.flow(f"{name} update", (output - held) / self._dt(), sink=held,
                        dims=list(dims) or None)
        return Term(output, dims)

    def _assemble(self, scope: Scope, element, dims, asts) -> Term:
        """The components' expressions placed into the element's full dimensions."""
        parts = []
        for component, ast in zip(element.components, asts):
            subs = list(component.subscripts[0])
            translator = self._translator(scope, element.name)
            translator.lhs = [self.space.dims[r] for r in map(self.space.range_name, subs)
                              if r is not None]
            if isinstance(ast, (np.ndarray, ae.GetDataStructure, ae.GetConstantsStructure)):
                term = self._part(scope, element, component, ast, len(parts))
            else:
                term = translator.translate(ast)
            expr = term.expr
            if subs:
                expr = self.space.embed(expr, term.dims, subs, dims, element.name)
                excluded = self._excluded(component, dims)
                if excluded is not None:
                    mask = self.model.const(f"{scope.name(element)} defined at{len(parts)}",
                                            excluded, dims=list(dims))
                    expr = fn.if_then_else(mask > 0.5, expr, 0.0)
            parts.append(expr)
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return Term(total, dims)

    def _constant_value(self, scope: Scope, node, depth: int = 0):
        """The (smallest) value of an expression of numbers and constants, else None."""
        if depth > 50:
            return None
        if isinstance(node, NUMERIC):
            return float(np.min(node))
        if isinstance(node, ae.ReferenceStructure) and node.reference in scope.elements:
            element = scope.elements[node.reference]
            if name_key(element.name) in self.control_values:
                return self.control_values[name_key(element.name)]
            values = [self._constant_value(scope, c.ast, depth + 1)
                      for c in element.components]
            return None if None in values else min(values)
        if isinstance(node, ae.ArithmeticStructure) and len(node.arguments) == 2 \
                and node.operators[0] in "+-*/":
            a, b = (self._constant_value(scope, x, depth + 1) for x in node.arguments)
            if a is None or b is None or (node.operators[0] == "/" and b == 0):
                return None
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[node.operators[0]]
        return None

    def _excluded(self, component, dims):
        """A 0/1 array over ``dims`` of the elements an EXCEPT clause keeps, or None."""
        exceptions = component.subscripts[1]
        if not exceptions:
            return None
        keep = np.zeros([len(d) for d in dims])
        cover = [[d.index(e) for e in self.space.elements_of(s)]
                 for s, d in zip(component.subscripts[0], dims)]
        keep[np.ix_(*cover)] = 1.0
        for exc in exceptions:
            idx = [[d.index(e) for e in self.space.elements_of(s) if e in d.elements]
                   for s, d in zip(exc, dims)]
            keep[np.ix_(*idx)] = 0.0
        return keep

    def _constant_array(self, element, dims, scope):
        value = np.zeros([len(d) for d in dims]) if dims else 0.0
        for component in element.components:
            ast = component.ast
            if isinstance(ast, ae.GetConstantsStructure):
                data = external.read_constants(ast, component, dims, self.space,
                                               self.path.parent, element.name)
            else:
                data = np.asarray(ast, dtype=float)
            if not dims:
                value = float(np.asarray(data).reshape(-1)[0])
                continue
            subs = list(component.subscripts[0])
            cover = [[d.index(e) for e in self.space.elements_of(s)]
                     for s, d in zip(subs, dims)]
            shape = [len(c) for c in cover]
            block = np.broadcast_to(data, shape) if np.ndim(data) == 0 else \
                np.asarray(data).reshape(shape)
            keep = self._excluded(component, dims)
            target = value[np.ix_(*cover)]
            if keep is not None:
                block = np.where(keep[np.ix_(*cover)] > 0.5, block, target)
            value[np.ix_(*cover)] = block
        return value

    def _inline_lookup(self, owner: str, table):
        # one lookup per table, whether the owner reads it or another variable calls it
        known = self.inline_tables.get((name_key(owner), id(table)))
        if known is not None:
            return known
        count = itertools.count(1)
        name = f"{owner} lookup"
        while name in self.model:
            name = f"{owner} lookup{next(count)}"
        made = lookups.make_lookup(self.model, name, self.graph_table(owner, table))
        self.inline_tables[(name_key(owner), id(table))] = made
        return made

    def graph_table(self, owner: str, table):
        """``table`` with the x points the XMILE file gives for ``owner``'s graphical
        function, where pysd spaced them evenly over its x scale instead."""
        points = self.graph_points.get(name_key(owner))
        if points is None or len(points) != len(table.y) or list(table.x) == points:
            return table
        if any(b < a for a, b in zip(points, points[1:])):
            raise ImportModelError(f"variable '{owner}': the x points of its graphical "
                                   f"function must not decrease ({points})", owner)
        return dataclasses.replace(table, x=tuple(points),
                                   x_limits=(points[0], points[-1]))

    # -- references ----------------------------------------------------------------------
    def _resolve(self, scope: Scope, py: str, subs, call_args, tr) -> Term:
        if call_args is None and py in scope.py_params.values():
            param = next(p for p, v in scope.py_params.items() if v == py)
            return scope.params[param]
        if py == "time" and call_args is None:
            return Term(self.model.time)
        element = scope.elements.get(py)
        if element is None:
            if call_args is not None and py in self.macros:
                return self._expand_macro(py, [tr.translate(a) for a in call_args], tr)
            if call_args is None and py in self.range_py:
                return self._positions(self.range_py[py])
            if call_args is None and py in self.element_py:
                return Term(float(self.space.number(self.element_py[py])))
            if call_args is None and py in ("starttime", "stoptime") and \
                    self.path.suffix.lower() != ".mdl":
                # XMILE's STARTTIME and STOPTIME (numbers in XMILE's sim specs)
                return Term(float(self.model.start if py == "starttime" else self.model.stop))
            if call_args is not None:
                raise tr.unsupported(f"the function {py.upper().replace('_', ' ')}")
            raise ImportModelError(f"variable '{tr.variable}': refers to '{py}', which the "
                                   "model does not define", tr.variable)
        name = scope.name(element)
        key = name_key(name)
        mode, tr.lookup_mode = tr.lookup_mode, None  # LOOKUP EXTRAPOLATE and friends
        own = lookups.own_graph(element) if call_args is not None and not subs else None
        if key in self.lookups or own is not None:
            if call_args is None or len(call_args) != 1:
                raise tr.unsupported(f"lookup '{element.name}' without exactly one argument")
            arg = tr.translate(call_args[0])
            # a variable's own graphical function, called by name (XMILE's gf(x) and
            # LOOKUP(gf, x)): its table at x
            table = self.lookups[key] if key in self.lookups else \
                self._inline_lookup(element.name, own)
            if mode is not None:
                table = lookups.variant(self.model, table, mode)
            if isinstance(table, lookups.ArrayedLookup):
                return lookups.call_lookup(self, table, subs, arg, tr.variable, tr.banged)
            return Term(table(arg.expr), arg.dims)
        if call_args is not None:
            if subs:
                raise tr.unsupported(f"subscripted lookup '{element.name}'")
            raise ImportModelError(f"variable '{tr.variable}': calls '{element.name}', "
                                   "which is not a lookup", tr.variable)
        expr, dims = self.model.ref(name), self.dims_of.get(key, ())
        if subs:
            expr, dims = self.space.subscript_reference(expr, dims, subs, tr.variable,
                                                        tr.banged)
        if getattr(tr, "lhs", None):
            expr, dims = self.space.map_onto(expr, dims, tr.lhs, tr.variable)
        return Term(expr, dims)

    def _positions(self, range_name: str) -> Term:
        """A subscript range used as a value: its elements' positions 1, 2, ..."""
        dim = self.space.dims[range_name]
        if range_name not in self.positions:
            numbers = [float(self.space.number(e)) for e in dim.elements]
            self.positions[range_name] = self.model.const(
                f"{range_name} position", numbers, dims=[dim],
                doc=f"position of each element of {range_name} in its main range")
        return Term(self.positions[range_name], (dim,))

    def _expand_macro(self, py: str, args: list[Term], tr) -> Term:
        section = self.macros[py]
        if len(args) != len(section.params):
            raise ImportModelError(f"variable '{tr.variable}': macro {section.name} takes "
                                   f"{len(section.params)} argument(s), got {len(args)}",
                                   tr.variable)
        if len(section.returns) > 1:
            raise UnsupportedFeatureError(f"variable '{tr.variable}': macro {section.name} "
                                          "returns several values; not supported yet",
                                          tr.variable)
        self.expansions += 1
        prefix = f"{section.name}#{self.expansions}."
        scope = Scope(section, prefix, dict(zip(section.params, args)))
        if section.subscripts:
            raise UnsupportedFeatureError(f"macro {section.name}: subscript ranges inside "
                                          "macros are not supported", section.name)
        self._infer_macro_dims(scope)
        for element in section.elements:
            self._build_element(scope, element)
        out = next(e for e in section.elements if name_key(e.name) == name_key(section.name))
        name = scope.name(out)
        return Term(self.model.ref(name), self.dims_of[name_key(name)])

    def _infer_macro_dims(self, scope: Scope) -> None:
        # macro elements take the dims of the arguments they are computed from
        dims = union(*(t.dims for t in scope.params.values()))
        for element in scope.section.elements:
            self.dims_of[name_key(scope.name(element))] = dims
