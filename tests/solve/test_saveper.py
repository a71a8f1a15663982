"""SAVEPER that is not a multiple of TIME STEP: the run saves the step nearest to each
multiple of SAVEPER (Vensim's rule), computing every step as usual.

Expected numbers: PySD 3.14 on the same file. PySD keeps only the steps that fall on a
multiple of SAVEPER (here every other saved time), so the values are compared there; the
nearest steps are checked by hand.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import sdflow as sf

OSCILLATOR = Path(__file__).resolve().parents[1] / "data" / "conformance" / \
    "simple_harmonic_oscillator.mdl"


def pendulum(tmp_path) -> Path:
    # the oscillator sample saving every 0.25 s while integrating every 0.1 s
    text = OSCILLATOR.read_text(encoding="utf-8")
    text = text.replace("SAVEPER  = 0.1", "SAVEPER  = 0.25").replace(
        "TIME STEP  = 0.01", "TIME STEP  = 0.1")
    assert "SAVEPER  = 0.25" in text and "TIME STEP  = 0.1\n" in text
    path = tmp_path / "pendulum.mdl"
    path.write_text(text, encoding="utf-8")
    return path


def test_saveper_between_steps_saves_the_nearest_steps_and_matches_pysd(tmp_path):
    pysd = pytest.importorskip("pysd")
    path = pendulum(tmp_path)
    run = sf.read_vensim(path).simulate()
    times = run.dataset["time"].values
    # 0.25 -> step 3 (0.3, the later of 0.2 and 0.3), 0.5 -> 0.5, 0.75 -> 0.8, 1.0 -> 1.0
    np.testing.assert_allclose(times[:5], [0.0, 0.3, 0.5, 0.8, 1.0], atol=1e-12)
    assert len(times) == 201 and times[-1] == pytest.approx(50.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pysd.read_vensim(str(path)).run(return_columns=["position", "speed"])
    common = np.isclose(times[:, None], peer.index.values[None, :], atol=1e-9)
    ours_at, peers_at = np.nonzero(common)
    assert len(peers_at) == len(peer) == 101
    for name in ("position", "speed"):
        np.testing.assert_allclose(run[name].values[ours_at], peer[name].values[peers_at],
                                   rtol=1e-10, atol=1e-12, err_msg=name)


def test_saveper_off_the_steps_in_the_dsl_and_per_run():
    m = sf.Model("m", start=0, stop=3, dt=0.5, saveper=0.75)
    x = m.stock("x", initial=0.0)
    m.flow("in", 1.0, sink=x)
    # 0, 0.75, 1.5, 2.25, 3 -> steps at 0, 1 (tie: the later), 1.5, 2.5 (tie), 3
    np.testing.assert_allclose(m.simulate()["x"].values, [0.0, 1.0, 1.5, 2.5, 3.0])
    assert m.simulate(saveper=1.5)["time"].values.tolist() == [0.0, 1.5, 3.0]
    with pytest.raises(sf.TimeSettingsError, match="saveper=0.25 is shorter than dt=0.5"):
        m.simulate(saveper=0.25)
