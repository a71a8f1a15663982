"""Forecasting: policy scenarios, Monte Carlo ensembles, sensitivity analysis, Dask.

>>> import sdflow as sf
>>> from sdflow.forecasting import Ensemble, Scenario, Step, Uncertain, run_ensemble
>>> m = sf.Model("growth", start=2020, stop=2050, dt=1)
>>> rate = m.const("rate", 0.03)
>>> x = m.stock("x", initial=1.0)
>>> _ = m.flow("growth", rate * x, sink=x)
>>> policy = Scenario("policy", changes=[Step("rate", at=2026, scale=1.5)])
>>> ds = run_ensemble(Ensemble(m, [Scenario("baseline"), policy],
...                            [Uncertain("rate", sf.uniform(0.02, 0.04))], n=200))
>>> bands = quantile_bands(ds)
>>> bands["x"].dims
('quantile', 'scenario', 'time')
"""

from .distributed import local_cluster, run_ensemble
from .ensemble import Ensemble
from .report import write_forecast, write_sensitivity
from .sampling import ParameterSampler, PosteriorDraws, Uncertain, unit_design
from .scenarios import PreparedScenario, Ramp, Scenario, SeriesOverride, Step, select_scenarios
from .sensitivity import SensitivityProblem, morris_screening, sobol_indices
from .spec import ForecastSpec, load_forecast_spec, load_spec
from .summary import exceedance_probability, paired_differences, quantile_bands

__all__ = ["Ensemble", "ForecastSpec", "ParameterSampler", "PosteriorDraws",
           "PreparedScenario", "Ramp", "Scenario", "SensitivityProblem", "SeriesOverride",
           "Step", "Uncertain", "exceedance_probability", "load_forecast_spec", "load_spec",
           "local_cluster", "morris_screening", "paired_differences", "quantile_bands", "run_ensemble",
           "select_scenarios", "sobol_indices", "unit_design", "write_forecast",
           "write_sensitivity"]
