"""The README's Python examples run as written, in order (the tour cannot drift from the API)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)  # the tour writes files
    namespace: dict = {}
    for index, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {index}", "exec"), namespace)  # noqa: S102
    assert namespace["m"].check().ok and namespace["g"].check().ok
    assert (tmp_path / "bass.nc").exists()


def test_readme_first_command_runs_the_flagship_model(capsys):
    from sdflow.cli import main

    setup = README.read_text().split("## Set-up", 1)[1]
    command = re.search(r"&& (sdflow run [^\n]+)", setup).group(1).split()[1:]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "capital[Shanghai]" in out and "trust[Anhui]" in out
