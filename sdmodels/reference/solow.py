"""Solow-Swan growth: capital accumulation with diminishing returns (Solow 1956; Swan 1956).

Output is Cobb-Douglas, ``Y = A K^alpha L^(1-alpha)``. A fixed share ``s`` of output is
invested, capital wears out at ``delta`` and the labour force grows at ``n``. Capital per
worker ``k = K / L`` then obeys ``dk/dt = s A k^alpha - (n + delta) k`` and settles at
``k* = (s A / (n + delta))^(1 / (1 - alpha))``, whatever it starts from; there output,
capital and labour all grow at ``n`` (balanced growth). For Cobb-Douglas the transition
has a closed form: ``k^(1-alpha)`` approaches ``k*^(1-alpha)`` exponentially at the rate
``(1 - alpha)(n + delta)``.

Output is computed as ``A L (k / k_1)^alpha`` with ``k_1`` one unit of capital per
worker. This equals ``A K^alpha L^(1-alpha)`` but raises a pure number to the power
``alpha``, so the capital share can be a parameter and the unit check still holds; ``A``
is output per worker per year at one unit of capital per worker.

Loops
-----
R1 accumulation (+): capital -> capital per worker -> output -> investment -> capital.
Its gain falls as capital deepens (diminishing returns, ``alpha < 1``).
B1 depreciation (-): capital -> depreciation -> capital.
R2 labour growth (+): labour force -> labour force growth -> labour force. Through
capital per worker (``K / L``) it also dilutes capital, which is why ``n`` appears
beside ``delta`` in the steady state.
"""

from __future__ import annotations

import sdflow as sf


def build(saving_rate: float = 0.2, depreciation_rate: float = 0.05,
          labour_growth_rate: float = 0.01, capital_share: float = 1 / 3,
          productivity: float = 1.0, initial_capital_per_worker: float = 1.0,
          initial_labour: float = 100.0, stop: float = 200.0, dt: float = 0.25) -> sf.Model:
    """The Solow-Swan model (times in years, capital and output in units of goods).

    Parameters
    ----------
    saving_rate : float
        ``s``: share of output invested.
    depreciation_rate : float
        ``delta``: fraction of capital worn out per year.
    labour_growth_rate : float
        ``n``: growth rate of the labour force per year.
    capital_share : float
        ``alpha``: elasticity of output to capital (0 < alpha < 1).
    productivity : float
        ``A``: total factor productivity, goods per worker per year at one unit of
        capital per worker.
    initial_capital_per_worker, initial_labour : float
        Starting capital per worker (goods/person) and labour force (persons).
    stop, dt : float
        Final time and time step (years); the run starts at 0.

    Examples
    --------
    >>> from sdmodels.reference import solow
    >>> run = solow.build(stop=400).simulate(method="rk4")
    >>> k_star = (0.2 * 1.0 / (0.01 + 0.05)) ** 1.5  # (s A / (n + delta))^(1/(1-alpha))
    >>> round(float(run["capital per worker"][-1]), 4), round(k_star, 4)
    (6.0858, 6.0858)
    """
    m = sf.Model("solow growth", start=0, stop=stop, dt=dt, time_units="year")
    s = m.const("saving rate", saving_rate, units="dmnl", doc="share of output invested")
    delta = m.const("depreciation rate", depreciation_rate, units="1/year",
                    doc="fraction of capital worn out per year")
    n = m.const("labour force growth rate", labour_growth_rate, units="1/year",
                doc="growth rate of the labour force")
    alpha = m.const("capital share", capital_share, units="dmnl",
                    doc="elasticity of output to capital in the Cobb-Douglas production")
    a = m.const("total factor productivity", productivity, units="goods/(person*year)",
                doc="output per worker per year at one unit of capital per worker")
    k_1 = m.const("unit capital per worker", 1.0, units="goods/person",
                  doc="one unit of capital per worker: the scale of the production function")
    labour = m.stock("labour force", initial=initial_labour, units="person",
                     doc="workers")
    capital = m.stock("capital", initial=initial_capital_per_worker * initial_labour,
                      units="goods", doc="stock of productive capital")
    k = m.aux("capital per worker", capital / labour, units="goods/person")
    output = m.aux("output", a * labour * (k / k_1) ** alpha, units="goods/year",
                   doc="Cobb-Douglas output A K^alpha L^(1-alpha)")
    m.flow("investment", s * output, sink=capital, units="goods/year",
           doc="the saved share of output, added to capital")
    m.flow("depreciation", delta * capital, source=capital, units="goods/year",
           doc="capital worn out per year")
    m.flow("labour force growth", n * labour, sink=labour, units="person/year",
           doc="new workers per year")
    return m
