"""``sdflow/dsl/functions.pyi`` says what the generated module holds.

`sdflow.dsl.functions` makes its functions at import from the registry
(`sdflow.expr.builtins`), so static analysers and editors, which read files without
running them, learn their names, signatures and docstrings from the stub. The stub is
written by ``write_stub()``; these tests fail when it no longer matches: first as text
(the message says how to rewrite it), then read back on its own with `ast` and compared
with the functions Python actually has, so a mistake in the writer is caught too.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from sdflow.dsl import functions
from sdflow.dsl.functions import STUB, stub_text

P = inspect.Parameter


@pytest.fixture(scope="module")
def stub() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))


def test_the_stub_is_the_one_the_registry_writes_today():
    assert STUB.read_text(encoding="utf-8") == stub_text(), (
        f"{STUB.name} is out of date with the builtin registry: rewrite it with "
        'python -c "from sdflow.dsl.functions import write_stub; write_stub()"')


def test_the_stub_lists_every_public_function_once(stub):
    declared = next(node.value for node in stub.body if isinstance(node, ast.Assign)
                    and [t.id for t in node.targets] == ["__all__"])
    defined = [node.name for node in stub.body if isinstance(node, ast.FunctionDef)]
    assert ast.literal_eval(declared) == functions.__all__
    assert defined == functions.__all__


def test_each_stub_signature_and_docstring_is_the_functions_own(stub):
    for node in (n for n in stub.body if isinstance(n, ast.FunctionDef)):
        signature = inspect.signature(getattr(functions, node.name))
        args = node.args
        written = [(a.arg, P.POSITIONAL_OR_KEYWORD) for a in args.args]
        written += [(args.vararg.arg, P.VAR_POSITIONAL)] if args.vararg else []
        written += [(a.arg, P.KEYWORD_ONLY) for a in args.kwonlyargs]
        assert written == [(p.name, p.kind) for p in signature.parameters.values()], node.name
        defaults = [ast.literal_eval(d) for d in args.defaults]
        defaults += [ast.literal_eval(d) for d in args.kw_defaults if d is not None]
        assert defaults == [p.default for p in signature.parameters.values()
                            if p.default is not P.empty], node.name
        annotations = {a.arg: ast.unparse(a.annotation)
                       for a in [*args.args, *args.kwonlyargs] if a.annotation}
        assert annotations == {p.name: p.annotation for p in signature.parameters.values()
                               if p.annotation is not P.empty}, node.name
        assert ast.unparse(node.returns) == "Expr"
        assert ast.get_docstring(node, clean=False) == getattr(functions, node.name).__doc__


def test_the_names_the_stub_imports_exist(stub):
    for node in (n for n in stub.body if isinstance(n, ast.ImportFrom)):
        module = importlib.import_module("." * node.level + node.module, "sdflow.dsl")
        for alias in node.names:
            assert hasattr(module, alias.name), f"{module.__name__}.{alias.name}"
