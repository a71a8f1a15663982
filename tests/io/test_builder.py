"""Vensim data (GET DIRECT DATA) becomes `Model.data` series, arrayed or in parts.

Expected numbers: the CSV values themselves, interpolated linearly by hand between the
listed times and held after the last one (Vensim's default for data).
"""

from __future__ import annotations

import sdflow as sf

MODEL = """{UTF-8}
region : a, b ~ ~|
series[region] := GET DIRECT DATA('regions.csv', ',', 'A', 'B2') ~ ~|
mixed[a] = 3 ~ ~|
mixed[b] := GET DIRECT DATA('b.csv', ',', 'A', 'B2') ~ ~|
INITIAL TIME = 0 ~ ~|
FINAL TIME = 4 ~ ~|
TIME STEP = 1 ~ ~|
SAVEPER = TIME STEP ~ ~|
"""


def test_arrayed_data_and_data_parts_read_their_csv_files(tmp_path):
    (tmp_path / "regions.csv").write_text("time,a,b\n0,1,10\n2,5,20\n4,6,40\n")
    (tmp_path / "b.csv").write_text("time,x\n0,7\n4,11\n")
    (tmp_path / "m.mdl").write_text(MODEL)
    model = sf.read_vensim(tmp_path / "m.mdl")
    run = model.simulate()
    assert model["series"].kind == "data"
    assert run["series"].values.tolist() == [[1, 10], [3, 15], [5, 20], [5.5, 30], [6, 40]]
    assert run["mixed"].values.tolist() == [[3, 7], [3, 8], [3, 9], [3, 10], [3, 11]]
