"""Ship a forecast job (model + settings) to another process as bytes.

A `Model` caches its checked graph, and the compile cache keeps compiled code per graph.
Neither travels well: the graph holds pint units of sdflow's own registry and the
compiled functions live in generated modules. So models are pickled without their graph
(hence without compiled code) and rebuild it where they run;
the declared variables (names, equations, numbers, unit strings) are all that is sent.
"""

from __future__ import annotations

import hashlib
import io
import pickle

from ..dsl.model import Model

_CACHES = ("_graph", "_scenario_graph")


def _restore_model(cls, state):
    model = cls.__new__(cls)
    model.__dict__.update(state)
    # fresh caches: the same attributes Model.__init__ makes
    for name, value in vars(Model("_", start=0, stop=1, dt=1)).items():
        if name in _CACHES:
            setattr(model, name, value)
    return model


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, Model):
            state = {k: v for k, v in vars(obj).items() if k not in _CACHES}
            return _restore_model, (type(obj), state)
        return NotImplemented


def dumps(obj) -> bytes:
    """``obj`` as bytes, with every `Model` inside it stripped of its caches.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=1, dt=0.5)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", 0.5 * x, source=x)
    >>> _ = m.simulate()
    >>> float(loads(dumps(m)).simulate()["x"][-1])
    0.5625
    """
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def loads(data: bytes):
    """The object `dumps` wrote."""
    return pickle.loads(data)


def token(data: bytes) -> str:
    """A short, stable fingerprint of some bytes."""
    return hashlib.sha256(data).hexdigest()[:16]
