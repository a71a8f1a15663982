"""Run the regional integration presets and write the figures and tables of sdmodels/README.md.

Usage::

    python scripts/regional_analysis.py [--out sdmodels/figures] [--stop 2050]

Writes to the output folder:

* ``base_vs_gdp.png``: base runs 2004-2018 against real and nominal GDP (log scale);
* ``policy_<preset>.png``: integration, trust, protectionism and output under the
  governance scenarios to ``--stop`` (levers switched at the policy year, 2025);
* ``policy_<stop>.csv``: scenario outcomes at ``--stop`` for every preset;
* ``loop_knockout.csv``: outcomes with one loop's link cut (loop dominance);
* and prints the base-run fit, a growth accounting of the base run and both tables.

Scenarios run as one batch per preset (one row of parameters per scenario).
"""

from __future__ import annotations

import argparse
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
from sdmodels.regional_integration import LEVERS, PRESETS, build  # noqa: E402
from sdmodels.regional_integration.data import region_data  # noqa: E402

POLICY_LEVEL = 0.8
INTERNAL = ["contract enforcement", "information sharing", "monitoring", "benefit sharing"]
EXTERNAL = ["central coordination", "evaluation reform"]

#: Loop knockouts: the constant set to 0 cuts one link of the listed loops.
KNOCKOUTS = {
    "trust building rate": "R2 trust and cooperation (kept agreements -> trust)",
    "gain trust rate": "R3 shared gains (gains -> trust)",
    "tournament sensitivity": "R4 tournament trap and B4 catch-up (growth gap -> pressure)",
    "trust erosion rate": "R5 distrust spiral (opportunism -> trust)",
    "public goods elasticity": "R6 regional public goods (goods -> output)",
    "overcapacity return penalty": "B3 overcapacity (duplicates -> return)",
    "return elasticity of investment": "B2 and B3 (return -> investment)",
    "tournament effect on investment": "B4 investment catch-up (pressure -> investment)",
    "technology diffusion rate": "B7 catch-up (gap -> productivity growth)",
}


def scenarios() -> dict[str, dict[str, float]]:
    """Scenario name -> constants that differ from the base run."""
    out: dict[str, dict[str, float]] = {"base (2004 institutions)": {}}
    none = {}
    for lever in LEVERS:
        none[lever.name] = none[f"{lever.name} policy"] = 0.0
    out["no governance"] = none
    for lever in LEVERS:
        out[f"{lever.name} {POLICY_LEVEL}"] = {f"{lever.name} policy": POLICY_LEVEL}
    out["internal package"] = {f"{n} policy": POLICY_LEVEL for n in INTERNAL}
    out["external package"] = {f"{n} policy": POLICY_LEVEL for n in EXTERNAL}
    out["all levers"] = {f"{n.name} policy": POLICY_LEVEL for n in LEVERS}
    return out


def batch_params(model, rows: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """One parameter array per constant that any row changes; the model's value elsewhere."""
    names = sorted({k for row in rows for k in row})
    return {k: np.array([row.get(k, float(model[k].value)) for row in rows]) for k in names}


def area_mean(da):
    return da.mean([d for d in da.dims if d not in ("time", "run")])


def fit_table(runs) -> pd.DataFrame:
    rows = []
    for key, run in runs.items():
        data = region_data(PRESETS[key].members)
        y = run["output"].sel(time=np.arange(2004.0, 2019.0)).to_pandas()
        y.index = y.index.astype(int)
        for member in PRESETS[key].members:
            model, real, nominal = y[member], data.real_gdp[member], data.nominal_gdp[member]
            rows.append({
                "preset": key, "member": member,
                "model growth": (model[2018] / model[2004]) ** (1 / 14) - 1,
                "real growth": (real[2018] / real[2004]) ** (1 / 14) - 1,
                "nominal growth": (nominal[2018] / nominal[2004]) ** (1 / 14) - 1,
                "2018 model/real": model[2018] / real[2018],
                "2018 model/nominal": model[2018] / nominal[2018],
                "rms log error vs real": float(np.sqrt(np.mean(np.log(model / real) ** 2))),
            })
    return pd.DataFrame(rows)


def growth_accounting(run, start: float, stop: float, alpha: float) -> dict[str, float]:
    """Shares of the log change of regional output from each factor of the output equation."""
    def log_change(name, power=1.0, weights=None):
        da = run[name]
        a, b = da.sel(time=start), da.sel(time=stop)
        change = power * np.log(b / a)
        return float((change * weights).sum()) if weights is not None else float(change)

    y = run["output"]
    w = (y.sel(time=start) / y.sel(time=start).sum()).values
    parts = {
        "capital (R1, B1, B2, B3, B4)": log_change("capital", alpha, w),
        "labour": log_change("labour", 1 - alpha, w),
        "productivity (B7; integration learning)": log_change("productivity", 1.0, w),
        "market size (R7, R4)": log_change("market size effect", 1.0, w),
        "public goods (R6)": log_change("public goods effect"),
    }
    total = sum(parts.values())
    return {k: v / total for k, v in parts.items()} | {"total log change": total}


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
            ax.plot(data.nominal_gdp.index, data.nominal_gdp[member], "x", color=c, ms=4,
                    alpha=0.5)
        ax.set_yscale("log")
        ax.set_title(f"{PRESETS[key].title}: base run (lines) vs GDP")
        ax.set_xlabel("year")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, ncol=2, loc="upper left")
    axes[0].set_ylabel("output, 100 million yuan/year (2004 prices)")
    fig.text(0.5, 0.005, "dots: GDP deflated by the investment price index (2004 prices); "
             "crosses: nominal GDP. Uncalibrated model.", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
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
        ax.axvline(2025, color="grey", lw=0.8)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("year")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=9, loc="center right", title="scenario")
    fig.suptitle(f"{PRESETS[key].title}: governance levers set to {POLICY_LEVEL} from 2025 "
                 f"(grey line), to {int(stop)}")
    fig.tight_layout(rect=(0, 0, 0.82, 1))
    _save(fig, out / f"policy_{key}.png")


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
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 160)

    base_runs = {key: build(key, stop=args.stop).simulate() for key in PRESETS}
    fit = fit_table(base_runs)
    print("\nBase run 2004-2018 against GDP (uncalibrated)\n", fit.round(3).to_string())
    print("\nArea totals:")
    for key, group in fit.groupby("preset", sort=False):
        error = abs(group["model growth"] - group["real growth"]).mean()
        low, high = group["2018 model/real"].min(), group["2018 model/real"].max()
        print(f"  {key}: mean |growth error| vs real {error:.3f}/year, "
              f"2018 level model/real {low:.2f}-{high:.2f}")
    plot_fit(base_runs, args.out)

    print("\nGrowth accounting of the base run (shares of the log change of output)")
    for key, run in base_runs.items():
        for a, b in ((2004.0, 2018.0), (2018.0, args.stop)):
            parts = growth_accounting(run, a, b, 0.5)
            print(f"  {key} {int(a)}-{int(b)}: " + ", ".join(
                f"{k} {v:.2f}" for k, v in parts.items()))

    names = list(scenarios())
    policy_rows = []
    for key in PRESETS:
        model = build(key, stop=args.stop)
        run = model.simulate(params=batch_params(model, list(scenarios().values())),
                             n=len(names))
        plot_policies(key, run, names, args.out, args.stop)
        end = run.dataset.sel(time=args.stop)
        base_output = float(end["regional output"].isel(run=0))
        for r, name in enumerate(names):
            row = end.isel(run=r)
            policy_rows.append({
                "preset": key, "scenario": name,
                "integration": float(area_mean(row["member integration"])),
                "trust": float(area_mean(row["mean trust"])),
                "protectionism": float(area_mean(row["protectionism"])),
                "overcapacity share": float(area_mean(row["overcapacity share"])),
                "free riding": float(area_mean(row["free riding"])),
                "output vs base %": 100 * (float(row["regional output"]) / base_output - 1),
            })
    policy = pd.DataFrame(policy_rows)
    print(f"\nOutcomes in {int(args.stop)}\n", policy.round(3).to_string())
    _write_csv(policy, args.out / f"policy_{int(args.stop)}.csv")

    knock_rows = []
    for key in PRESETS:
        model = build(key, stop=args.stop)
        rows = [{}] + [{name: 0.0} for name in KNOCKOUTS]
        run = model.simulate(params=batch_params(model, rows), n=len(rows))
        end = run.dataset.sel(time=args.stop)
        base_output = float(end["regional output"].isel(run=0))
        base_int = float(area_mean(end["member integration"].isel(run=0)))
        for r, (name, loops) in enumerate([("none", "base run")] + list(KNOCKOUTS.items())):
            row = end.isel(run=r)
            knock_rows.append({
                "preset": key, "constant set to 0": name, "loops cut": loops,
                "output vs base %": 100 * (float(row["regional output"]) / base_output - 1),
                "integration": float(area_mean(row["member integration"])),
                "integration change": float(area_mean(row["member integration"])) - base_int,
            })
    knock = pd.DataFrame(knock_rows)
    print(f"\nLoop knockouts, outcomes in {int(args.stop)}\n", knock.round(3).to_string())
    _write_csv(knock, args.out / "loop_knockout.csv")


if __name__ == "__main__":
    main()
