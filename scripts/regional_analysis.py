"""Run the regional integration presets and write the figures and tables of sdmodels/README.md.

Usage::

    python scripts/regional_analysis.py [--out sdmodels/figures] [--stop 2050] [--defaults]

Each preset runs with its calibrated constants (``calibration/results/<preset>/params.json``)
unless ``--defaults`` is given or the file is missing. Writes to the output folder:

* ``base_vs_gdp.png``: base runs 2004-2018 against real GDP (log scale);
* ``policy_<preset>.png``: integration, trust, protectionism and output under the
  governance scenarios to ``--stop`` (levers switched in 2026);
* ``policy_<stop>.csv``: scenario outcomes at ``--stop``: area means, lever costs, and how
  the gains are distributed (per member, and their spread);
* ``gains_<stop>.csv``: each member's output gain against the base run and what it pays
  (lever costs and net benefit-sharing transfers);
* ``loop_knockout.csv``: the response to a monitoring policy with one link held at its
  base-run path (the loops through it cut) against the closed model;
* ``payoff_matrix.csv``: the 2x2 game of a representative pair of each area (payoffs
  2004-2014);
* ``games_by_horizon.csv``: the same games for officials counting the first 1-10 years;
* ``unilateral_defection.csv``: each member's gain from defecting while its partners go on
  choosing, over the first 1-10 years of each area;
* ``perceived_protection_payoff.csv``: the perceived payoff of protection (what the logit
  choice follows) along each area's base run 2004-2018, split into its terms;
* ``dilemma_swaps.csv`` (calibrated constants only): the pair games with one calibrated
  constant set back to its default, and the defaults with one calibrated constant;
* and prints the base-run fit and every table as markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sdflow.solve.results import atomic_write  # noqa: E402
from sdmodels.regional_integration import (LEVERS, PARAMETERS, PRESETS,  # noqa: E402
                                           build, is_prisoners_dilemma, payoff_matrix)
from sdmodels.regional_integration.dilemma import (games_by_horizon,  # noqa: E402
                                                   perceived_protection_payoff,
                                                   unilateral_defection)
from sdmodels.regional_integration.data import region_data  # noqa: E402

POLICY_LEVEL = 0.8
POLICY_YEAR = 2026.0
INTERNAL = ["contract enforcement", "information sharing", "monitoring", "benefit sharing"]
EXTERNAL = ["central coordination", "evaluation reform"]
PAIRS = {"yrd": ["Jiangsu", "Zhejiang"], "jjj": ["Beijing", "Hebei"],
         "pprd": ["Hunan", "Jiangxi"]}
"""Representative pairs for the payoff matrix: neighbours of similar size in each area."""
GAME_UNTIL = 2014.0
"""Last year of the payoff matrices: the end of the calibration's fit period."""
HORIZONS = range(1, 11)
"""Years counted by officials in the games by horizon (2005 to 2014)."""

KNOCKOUTS = {
    "capture opportunity": "B8 temptation of open markets",
    "integration stake": "R4 stake in integration, R5 distrust spiral",
    "protection payoff": "B8, R4, R5 and the temptation's pull on cooperation",
}


def calibrated(key: str, use: bool = True) -> dict:
    """The calibrated constants of a preset (``"params"`` of its params.json, arrays for
    per-member constants), as `simulate(params=...)` takes them; {} without a calibration."""
    path = ROOT / "calibration" / "results" / key / "params.json"
    if not use or not path.exists():
        return {}
    flat = json.loads(path.read_text())["params"]
    return {name: np.asarray(value, dtype=float) if isinstance(value, list) else float(value)
            for name, value in flat.items()}


def scenarios() -> dict[str, dict[str, float]]:
    """Scenario name -> lever values that differ from the base run (from 2026)."""
    out: dict[str, dict[str, float]] = {"base (institutions held)": {}}
    out["no governance"] = {f"{lever.name} policy": 0.0 for lever in LEVERS}
    for lever in LEVERS:
        out[f"{lever.name} {POLICY_LEVEL}"] = {f"{lever.name} policy": POLICY_LEVEL}
    out["internal package"] = {f"{n} policy": POLICY_LEVEL for n in INTERNAL}
    out["external package"] = {f"{n} policy": POLICY_LEVEL for n in EXTERNAL}
    out["all levers"] = {f"{n.name} policy": POLICY_LEVEL for n in LEVERS}
    return out


def batch_params(model, rows: list[dict], fixed: dict) -> dict:
    """One parameter row per scenario: the scenario's values over the fixed ones."""
    names = sorted({k for row in rows for k in row} | set(fixed))
    out = {}
    for k in names:
        default = fixed.get(k, model[k].value)
        out[k] = np.array([np.broadcast_to(row.get(k, default), np.shape(default))
                           for row in rows], dtype=float)
    out["policy year"] = np.full(len(rows), POLICY_YEAR)
    return out


def area_mean(da):
    return da.mean([d for d in da.dims if d not in ("time", "run")])


def fit_table(runs) -> pd.DataFrame:
    rows = []
    for key, run in runs.items():
        data = region_data(PRESETS[key].members)
        y = run["output"].sel(time=np.arange(2004.0, 2019.0)).to_pandas()
        y.index = y.index.astype(int)
        for member in PRESETS[key].members:
            model, real = y[member], data.real_gdp[member]
            rows.append({
                "preset": key, "member": member,
                "model growth": (model[2018] / model[2004]) ** (1 / 14) - 1,
                "real growth": (real[2018] / real[2004]) ** (1 / 14) - 1,
                "2018 model/real": model[2018] / real[2018],
                "rms log error": float(np.sqrt(np.mean(np.log(model / real) ** 2))),
            })
    return pd.DataFrame(rows)


def plot_fit(runs, out: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    for ax, (key, run) in zip(axes, runs.items()):
        data = region_data(PRESETS[key].members)
        y = run["output"].sel(time=slice(2004, 2018))
        colors = plt.cm.tab10(np.linspace(0, 1, 10))
        for i, member in enumerate(PRESETS[key].members):
            c = colors[i % 10]
            ax.plot(y["time"], y.sel(member=member), color=c, lw=2, label=member)
            ax.plot(data.real_gdp.index, data.real_gdp[member], "o", color=c, ms=4)
        ax.set_yscale("log")
        ax.set_title(f"{PRESETS[key].title}: base run (lines) vs real GDP (dots)")
        ax.set_xlabel("year")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, ncol=2, loc="upper left")
    axes[0].set_ylabel("output, 100 million yuan/year (2004 prices)")
    fig.tight_layout()
    _save(fig, out / "base_vs_gdp.png")


def plot_policies(key, run, names, out: Path, stop: float) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(15, 8.5), sharex=True)
    panels = [("member integration", "market integration (area mean)"),
              ("mean trust", "trust (area mean)"),
              ("protectionism", "local protectionism (area mean)"),
              ("regional output", "regional output relative to base, %")]
    base = run["regional output"].isel(run=0)
    styles = ["-", "--", ":", "-."]
    for ax, (var, title) in zip(axes.flat, panels):
        for r, name in enumerate(names):
            da = run[var].isel(run=r)
            values = 100 * (da / base - 1) if var == "regional output" else area_mean(da)
            ax.plot(da["time"], values, styles[r // 10], color=plt.cm.tab10(r % 10),
                    lw=2.2 if r < 2 else 1.4, label=name)
        ax.axvline(POLICY_YEAR, color="grey", lw=0.8)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("year")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=9, loc="center right", title="scenario")
    fig.suptitle(f"{PRESETS[key].title}: governance levers set to {POLICY_LEVEL} from "
                 f"{int(POLICY_YEAR)} (grey line), to {int(stop)}")
    fig.tight_layout(rect=(0, 0, 0.8, 0.96))
    _save(fig, out / f"policy_{key}.png")


def policy_tables(key, run, names, stop):
    """Area outcomes per scenario, and each member's gains and payments."""
    end = run.dataset.sel(time=stop)
    window = run.dataset.sel(time=slice(POLICY_YEAR, stop))
    base_output = end["output"].isel(run=0)
    rows, gains = [], []
    for r, name in enumerate(names):
        row = end.isel(run=r)
        gain = 100 * (row["output"] / base_output - 1)
        # what a member pays for the policy: lever and joint-project costs, and its net
        # payments into the benefit-sharing fund, over the policy years
        spent = (window["governance cost share"] * window["output"] - window["net transfer"])
        paid = spent.isel(run=r).sum("time") - spent.isel(run=0).sum("time")
        gained = (window["output"].isel(run=r) - window["output"].isel(run=0)).sum("time")
        rows.append({
            "preset": key, "scenario": name,
            "integration": float(area_mean(row["member integration"])),
            "trust": float(area_mean(row["mean trust"])),
            "protectionism": float(area_mean(row["protectionism"])),
            "lever cost share": float(row["lever cost share"]),
            "output vs base %": 100 * (float(row["regional output"])
                                       / float(end["regional output"].isel(run=0)) - 1),
            "lowest member gain %": float(gain.min()),
            "highest member gain %": float(gain.max()),
            "spread of gains (points)": float(gain.max() - gain.min()),
        })
        for member in run["output"]["member"].values:
            gains.append({"preset": key, "scenario": name, "member": str(member),
                          "output gain %": float(gain.sel(member=member)),
                          "cumulative output gained": float(gained.sel(member=member)),
                          "cumulative extra cost and net payments": float(
                              paid.sel(member=member))})
    return rows, gains


def knockout_rows(key, stop, fixed):
    """Monitoring policy from 2026 with each holdable link closed or held at its base path."""
    base = build(key, stop=stop, saveper=0.25).simulate(params=fixed or None)
    policy = {"monitoring_policy": POLICY_LEVEL, "policy_year": POLICY_YEAR}
    closed = build(key, stop=stop, **policy).simulate(params=fixed or None).dataset.sel(time=stop)
    end = base.dataset.sel(time=stop)
    rows = []
    for link, loops in KNOCKOUTS.items():
        path = base[link].to_pandas()
        held = build(key, stop=stop, hold={link: path}, **policy).simulate(
            params=fixed or None).dataset.sel(time=stop)
        for label, ds in (("closed", closed), ("held", held)):
            rows.append({
                "preset": key, "link held": link, "loops cut": loops, "model": label,
                "protectionism change": float(area_mean(ds["protectionism"]
                                                        - end["protectionism"])),
                "integration change": float(area_mean(ds["member integration"]
                                                      - end["member integration"])),
                "output vs base %": 100 * (float(ds["regional output"])
                                           / float(end["regional output"]) - 1),
            })
    return rows


def pair_params(key: str, fixed: dict) -> dict:
    """Constants of a preset's representative pair: the preset's own constants (e.g.
    Jing-Jin-Ji's pooled ones, which ``build(members=...)`` leaves out) and ``fixed``, with
    per-member values cut to the pair."""
    pair, members = PAIRS[key], list(PRESETS[key].members)
    params = {name: float(value) for name, value in PRESETS[key].constants.items()}
    for name, value in fixed.items():
        value = np.asarray(value)
        params[name] = value[[members.index(p) for p in pair]] if value.ndim else float(value)
    return params


def game_rows(key, fixed):
    pair = PAIRS[key]
    game = payoff_matrix(build(members=pair, stop=GAME_UNTIL), until=GAME_UNTIL,
                         params=pair_params(key, fixed))
    dilemma = is_prisoners_dilemma(game)
    game = game.rename(columns={f"payoff {pair[0]}": "row payoff",
                                f"payoff {pair[1]}": "column payoff"})
    return game.assign(preset=key, **{"row member": pair[0], "column member": pair[1],
                                      "prisoner's dilemma": dilemma})


def horizon_rows(key, fixed) -> pd.DataFrame:
    """The pair's game for officials counting the first 1-10 years."""
    model = build(members=PAIRS[key], stop=GAME_UNTIL)
    games = games_by_horizon(model, HORIZONS, params=pair_params(key, fixed))
    games.insert(0, "preset", key)
    return games


def pd_horizons(games: pd.DataFrame) -> str:
    """The horizons (years) at which a `games_by_horizon` table is a prisoner's dilemma."""
    years = [int(h) for h, g in zip(games["horizon"], games["game"])
             if g == "prisoner's dilemma"]
    if not years:
        return "none"
    runs, first = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            runs.append(f"{first}" if first == a else f"{first}-{a}")
            first = b
    return ", ".join(runs)


def horizon_summary(horizons: pd.DataFrame) -> pd.DataFrame:
    """Per pair: the horizons with a prisoner's dilemma, the game at 5 and 10 years, and
    the gains of defecting alone (T - R) and losses of mutual defection (R - P)."""
    rows = []
    for key, games in horizons.groupby("preset", sort=False):
        by = games.set_index("horizon")
        pair = f"{by['row member'].iloc[0]}, {by['column member'].iloc[0]}"
        row = {"pair": pair, "prisoner's dilemma at horizons": pd_horizons(games),
               "game at 5 years": by.loc[5.0, "game"], "game at 10 years": by.loc[10.0, "game"]}
        for h in (1.0, 5.0, 10.0):
            row[f"T - R, {int(h)} y"] = (f"{by.loc[h, 'row T - R']:+.4f} / "
                                         f"{by.loc[h, 'column T - R']:+.4f}")
        row["R - P, 10 y"] = (f"{by.loc[10.0, 'row R - P']:.3f} / "
                              f"{by.loc[10.0, 'column R - P']:.3f}")
        rows.append(row)
    return pd.DataFrame(rows)


def swaps_that_flip(swaps: pd.DataFrame) -> pd.DataFrame:
    """The swaps whose equilibria at the last horizon differ from those of their starting
    point (all calibrated, or all defaults), after the two starting points."""
    eq = f"equilibria {int(GAME_UNTIL)}"
    base = {(r.preset, r.case): r[eq] for _, r in swaps[swaps["constant"] == ""].iterrows()}
    start = {"calibrated, one at its default": "all calibrated",
             "defaults, one calibrated": "all defaults"}
    flips = [c == "" or e != base[(k, start[case])] for k, case, c, e in zip(
        swaps["preset"], swaps["case"], swaps["constant"], swaps[eq])]
    order = {key: i for i, key in enumerate(dict.fromkeys(swaps["preset"]))}
    out = swaps[flips].sort_values(["preset", "case"], kind="stable",
                                   key=lambda col: col.map(order) if col.name == "preset"
                                   else col)
    return out[["pair", "case", "constant", "value", "default", f"game {int(GAME_UNTIL)}", eq,
                "prisoner's dilemma at horizons", "row R - P", "column R - P"]]


def swap_rows(key, fixed) -> list[dict]:
    """The pair's games with each calibrated constant (the preset's own constants
    included) set back to its default, and the defaults with each calibrated constant."""
    defaults = {p.name: p.value for p in PARAMETERS}
    calibrated_set = pair_params(key, fixed)
    model = build(members=PAIRS[key], stop=GAME_UNTIL)
    cases = [("all calibrated", "", calibrated_set), ("all defaults", "", {})]
    for name in sorted(calibrated_set):
        cases.append(("calibrated, one at its default", name,
                      {**calibrated_set, name: defaults[name]}))
        cases.append(("defaults, one calibrated", name, {name: calibrated_set[name]}))
    rows = []
    for case, name, params in cases:
        games = games_by_horizon(model, HORIZONS, params=params)
        last = games.iloc[-1]
        value = calibrated_set[name] if name else np.nan
        rows.append({"preset": key, "pair": ", ".join(PAIRS[key]), "case": case,
                     "constant": name, "value": "" if not name else
                     " / ".join(f"{v:.3g}" for v in np.atleast_1d(value)),
                     "default": "" if not name else f"{defaults[name]:.3g}",
                     f"game {int(GAME_UNTIL)}": last["game"],
                     f"equilibria {int(GAME_UNTIL)}": last["equilibria"],
                     "prisoner's dilemma at horizons": pd_horizons(games),
                     "row R - P": last["row R - P"], "column R - P": last["column R - P"],
                     "row T - R": last["row T - R"], "column T - R": last["column T - R"]})
    return rows


def unilateral_rows(key, fixed) -> pd.DataFrame:
    """Each member's gain from defecting while its partners go on choosing."""
    table = unilateral_defection(build(key, stop=GAME_UNTIL), HORIZONS,
                                 params=fixed or None)
    table.insert(0, "preset", key)
    return table


def perceived_rows(key, fixed) -> pd.DataFrame:
    """The perceived payoff of protection along the base run 2004-2018, by term."""
    model = build(key, stop=2018)
    table = perceived_protection_payoff(model.simulate(params=fixed or None), model)
    table.insert(0, "preset", key)
    return table


def perceived_summary(perceived: pd.DataFrame, unilateral: pd.DataFrame) -> pd.DataFrame:
    """Per member: the perceived payoff of protection in 2004, its mean 2005-2018 and in
    2018, with the stake fully seen, against the realised gain from defecting alone over
    the first 1, 5 and 10 years."""
    p = perceived.set_index(["preset", "member", "time"])
    later = perceived[perceived["time"] > 2004].groupby(["preset", "member"], sort=False)
    out = pd.DataFrame({
        "perceived 2004": p["protection payoff"].xs(2004.0, level="time"),
        "perceived, mean 2005-2018": later["protection payoff"].mean(),
        "perceived 2018": p["protection payoff"].xs(2018.0, level="time"),
        "stake fully seen, mean 2005-2018": later["payoff, stake fully seen"].mean(),
    })
    u = unilateral.set_index(["preset", "member", "horizon"])["gain"]
    for h in (1, 5, 10):
        out[f"realised gain, {h} year{'s' if h > 1 else ''}"] = u.xs(float(h), level="horizon")
    return out.reset_index()


def markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    """A pipe table of ``frame`` (numbers to ``digits`` significant digits)."""
    def cell(v):
        if isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 1e5:
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return f"{v:.{digits}g}"
        return str(v)
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _save(fig, path: Path) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
    print(f"wrote {path}")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, float_format="%.4g"))
    print(f"wrote {path}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "sdmodels" / "figures")
    parser.add_argument("--stop", type=float, default=2050.0)
    parser.add_argument("--defaults", action="store_true",
                        help="use the default constants, not the calibrated ones")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    fixed = {key: calibrated(key, not args.defaults) for key in PRESETS}
    print("constants:", {k: ("calibrated" if v else "defaults") for k, v in fixed.items()})

    base_runs = {key: build(key, stop=args.stop).simulate(params=fixed[key] or None)
                 for key in PRESETS}
    fit = fit_table(base_runs)
    print("\nBase run 2004-2018 against real GDP\n", markdown(fit))
    plot_fit(base_runs, args.out)

    names = list(scenarios())
    policy_rows, gain_rows = [], []
    for key in PRESETS:
        model = build(key, stop=args.stop)
        run = model.simulate(params=batch_params(model, list(scenarios().values()), fixed[key]),
                             n=len(names))
        plot_policies(key, run, names, args.out, args.stop)
        rows, gains = policy_tables(key, run, names, args.stop)
        policy_rows += rows
        gain_rows += gains
    policy = pd.DataFrame(policy_rows)
    print(f"\nOutcomes in {int(args.stop)}\n", markdown(policy))
    _write_csv(policy, args.out / f"policy_{int(args.stop)}.csv")
    _write_csv(pd.DataFrame(gain_rows), args.out / f"gains_{int(args.stop)}.csv")

    knock = pd.DataFrame([r for key in PRESETS for r in knockout_rows(key, args.stop,
                                                                       fixed[key])])
    print(f"\nLoop knock-outs (monitoring {POLICY_LEVEL} from {int(POLICY_YEAR)}; change "
          f"against the base run in {int(args.stop)})\n", markdown(knock))
    _write_csv(knock, args.out / "loop_knockout.csv")

    games = pd.concat([game_rows(key, fixed[key]) for key in PRESETS], ignore_index=True)
    print(f"\nPayoff matrices (mean local payoff 2004-{int(GAME_UNTIL)}, units of 2004 "
          "budget revenue)\n", markdown(games, 4))
    _write_csv(games, args.out / "payoff_matrix.csv")

    horizons = pd.concat([horizon_rows(key, fixed[key]) for key in PRESETS],
                         ignore_index=True)
    print("\nGames by horizon (payoffs of the first 1-10 years; T - R: gain of defecting "
          "alone, R - P: loss of mutual defection)\n", markdown(horizons, 3))
    _write_csv(horizons, args.out / "games_by_horizon.csv")
    print("\nThe dilemma by horizon (T - R and R - P: row / column member)\n",
          markdown(horizon_summary(horizons)))

    unilateral = pd.concat([unilateral_rows(key, fixed[key]) for key in PRESETS],
                           ignore_index=True)
    _write_csv(unilateral, args.out / "unilateral_defection.csv")
    perceived = pd.concat([perceived_rows(key, fixed[key]) for key in PRESETS],
                          ignore_index=True)
    _write_csv(perceived, args.out / "perceived_protection_payoff.csv")
    print("\nPerceived payoff of protection on the base run against the realised gain of "
          "defecting alone (partners choosing)\n",
          markdown(perceived_summary(perceived, unilateral), 3))

    swaps = pd.DataFrame([r for key in PRESETS if fixed[key] for r in swap_rows(key, fixed[key])])
    if len(swaps):
        print("\nPair games with one calibrated constant swapped\n", markdown(swaps, 3))
        _write_csv(swaps, args.out / "dilemma_swaps.csv")
        print(f"\nSwaps that change the equilibria of the {int(GAME_UNTIL)} game\n",
              markdown(swaps_that_flip(swaps), 3))


if __name__ == "__main__":
    main()
