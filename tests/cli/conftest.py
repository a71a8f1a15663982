"""What the command-line tests share: the source of a small model file."""

import textwrap

import pytest

#: A decay model with units; ``build(rate)`` is the factory the commands are given.
DECAY_MODEL = textwrap.dedent('''
    import sdflow as sf

    def build(rate=0.5):
        m = sf.Model("decay", start=0, stop=4, dt=1, time_units="year")
        k = m.const("rate", rate, units="1/year")
        x = m.stock("x", initial=100.0, units="widget")
        m.flow("outflow", k * x, source=x, units="widget/year")
        return m
''')


@pytest.fixture
def decay_model_source() -> str:
    """The source of a model file whose ``build(rate=0.5)`` makes a decay model."""
    return DECAY_MODEL
