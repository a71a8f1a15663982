"""Named constants of the regional integration model: defaults, units, and which to calibrate.

Every uncertain number of the model is one of these constants. ``calibrate=True`` marks
the ones a calibration against the GDP series (or expert elicitation) should estimate;
the others are structural, taken from the literature, or scenario levers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One named constant: ``name`` (model name), default ``value``, ``units``, ``doc``."""

    name: str
    value: float
    units: str
    doc: str
    calibrate: bool = False
    sector: str = ""


def _p(sector, name, value, units, doc, calibrate=False):
    return Parameter(name, value, units, doc, calibrate, sector)


PARAMETERS: tuple[Parameter, ...] = (
    # economy
    _p("economy", "capital share", 0.5, "1", "output elasticity of capital (alpha)", True),
    _p("economy", "depreciation rate", 0.096, "1/year",
       "depreciation of fixed capital; the rate used for the initial capital (Zhang 2008)"),
    _p("economy", "base productivity growth", 0.035, "1/year",
       "growth of total factor productivity in 2004 without integration effects", True),
    _p("economy", "productivity slowdown", 0.03, "1/year",
       "fractional decline per year of base productivity growth (convergence)", True),
    _p("economy", "integration learning effect", 0.01, "1/year",
       "extra productivity growth at full integration with all partners (knowledge "
       "spillovers)", True),
    _p("economy", "technology diffusion rate", 0.02, "1/year",
       "extra productivity growth per unit of integration-weighted log productivity gap to "
       "partners (catch-up)", True),
    _p("economy", "market scale elasticity", 0.15, "1",
       "elasticity of output to effective market size", True),
    _p("economy", "market access", 0.3, "1",
       "share of a fully integrated partner's output that counts as one's own market", True),
    _p("economy", "public goods elasticity", 0.05, "1",
       "elasticity of output to regional public goods per person", True),
    _p("economy", "maximum investment share", 0.8, "1", "ceiling of investment / output"),
    _p("economy", "return elasticity of investment", 1.0, "1",
       "response of the investment odds to expected return relative to the 2004 return",
       True),
    _p("economy", "integration effect on investment", 0.5, "1",
       "response of the investment odds to member integration (market size attracts "
       "investment)", True),
    _p("economy", "tournament effect on investment", 0.3, "1",
       "response of the investment odds to tournament pressure (over-investment)", True),
    _p("economy", "return expectation time", 2.0, "year",
       "time to form expected returns on capital"),
    _p("economy", "output perception time", 1.0, "year",
       "time for output figures to be seen by partners (statistics lag)"),
    _p("economy", "labour growth after data", 0.0, "1/year",
       "labour growth after the last year of the population series"),
    # market failure: regional public goods
    _p("public goods", "efficient contribution share", 0.03, "1",
       "share of output a member would put into regional public goods if it internalised "
       "all spillovers"),
    _p("public goods", "central funding share", 0.01, "1",
       "central transfers for regional infrastructure as a share of regional output, at full "
       "central coordination"),
    _p("public goods", "public goods lifetime", 25.0, "year",
       "average life of regional infrastructure"),
    _p("public goods", "initial public goods ratio", 0.6, "year",
       "regional public goods in 2004 per unit of annual regional output"),
    # government failure
    _p("government failure", "gdp weight in evaluation", 1.0, "1",
       "weight of GDP growth in the evaluation of local officials before reform"),
    _p("government failure", "tournament sensitivity", 1.0, "1",
       "extra pressure per reference growth rate a member lags the area mean", True),
    _p("government failure", "reference growth", 0.1, "1/year",
       "growth rate that scales growth gaps; also the initial perceived growth"),
    _p("government failure", "growth perception time", 3.0, "year",
       "averaging time of perceived output growth (TREND)"),
    _p("government failure", "protection rise rate", 0.3, "1/year",
       "fractional rise of protectionism per unit of tournament pressure", True),
    _p("government failure", "protection fall rate", 0.4, "1/year",
       "fractional fall of protectionism per unit of sanctions and trust", True),
    _p("government failure", "duplication propensity", 0.15, "1",
       "share of investment duplicating neighbours' projects at pressure 1 without "
       "coordination", True),
    _p("government failure", "duplicate scrapping time", 10.0, "year",
       "time to scrap or convert duplicate capacity (on top of depreciation)"),
    _p("government failure", "overcapacity return penalty", 1.0, "1",
       "fall in the return on capital per unit share of duplicate capacity"),
    # market integration
    _p("integration", "integration rate", 0.3, "1/year",
       "fractional closing of the remaining segmentation at full mutual cooperation", True),
    _p("integration", "segmentation rate", 0.25, "1/year",
       "fractional loss of integration at full protectionism on both sides", True),
    # trust
    _p("trust", "trust building rate", 0.3, "1/year",
       "fractional trust gain per unit of kept agreements", True),
    _p("trust", "gain trust rate", 0.2, "1/year",
       "fractional trust gain from realised shared gains at full contact"),
    _p("trust", "trust erosion rate", 0.6, "1/year",
       "fractional trust loss per unit of observed opportunism", True),
    _p("trust", "trust decay rate", 0.05, "1/year", "fractional trust loss without contact"),
    _p("trust", "perception delay", 2.0, "year",
       "time to perceive partners' behaviour and gains without information sharing"),
    _p("trust", "reference shared gain", 0.02, "1",
       "shared gain (share of own output) at which gains count half towards trust and "
       "cooperation"),
    # cooperation
    _p("cooperation", "cooperation adjustment time", 2.0, "year",
       "time to adjust effort in joint projects to the desired effort"),
    _p("cooperation", "cooperation steepness", 4.0, "1",
       "steepness of the logistic choice between cooperation and local interest"),
    _p("cooperation", "local interest weight", 1.0, "1",
       "weight of local interest (tournament pressure) against perceived shared gains", True),
    _p("cooperation", "central cofunding weight", 0.5, "1",
       "attractiveness added to joint projects by central co-funding at full coordination"),
    _p("cooperation", "base visibility", 0.5, "1",
       "share of shared gains local governments see without information sharing"),
    # soft initial states (2004), meant for calibration
    _p("initial states", "initial trust", 0.4, "1", "trust between members in 2004", True),
    _p("initial states", "initial cooperation", 0.3, "1",
       "effort in joint projects in 2004", True),
    _p("initial states", "initial integration", 0.4, "1",
       "market integration between members in 2004", True),
    _p("initial states", "initial protectionism", 0.4, "1", "local protectionism in 2004",
       True),
    _p("initial states", "initial overcapacity share", 0.05, "1",
       "duplicate capacity as a share of capital in 2004", True),
)

LEVERS: tuple[Parameter, ...] = (
    _p("governance", "contract enforcement", 0.3, "1",
       "internal: binding joint agreements; share of temptation to defect that is deterred"),
    _p("governance", "information sharing", 0.3, "1",
       "internal: shared statistics and platforms; speeds perception and shows gains"),
    _p("governance", "monitoring", 0.2, "1",
       "internal: mutual monitoring and reputation; deters opportunism, sanctions protection"),
    _p("governance", "benefit sharing", 0.1, "1",
       "internal: benefit-sharing and compensation funds; internalises spillovers"),
    _p("governance", "central coordination", 0.3, "1",
       "external: central planning, approval and sanctions; curbs duplication and "
       "protection, co-funds joint projects and public goods"),
    _p("governance", "evaluation reform", 0.1, "1",
       "external: share of GDP weight removed from the evaluation of local officials"),
)
"""Cluster-governance levers in [0, 1] (values outside are clipped). Each has a constant
``<lever>`` (level before the policy year) and ``<lever> policy`` (level from the policy
year on, by default equal, so the base run has no policy change)."""

POLICY_YEAR = _p("governance", "policy year", 2025.0, "year",
                 "year the '<lever> policy' values take over (STEP)")


def parameter_names(calibrate_only: bool = False) -> list[str]:
    """Names of the model's named constants (levers included).

    Examples
    --------
    >>> "capital share" in parameter_names(calibrate_only=True)
    True
    >>> "monitoring policy" in parameter_names()
    True
    """
    names = [p.name for p in PARAMETERS if p.calibrate or not calibrate_only]
    if not calibrate_only:
        names += [n for lever in LEVERS for n in (lever.name, f"{lever.name} policy")]
        names.append(POLICY_YEAR.name)
    return names
