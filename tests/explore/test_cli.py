"""``sdflow explore``: argument checks, and the command serving a model until stopped."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sdflow.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_bad_port_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["explore", "sdmodels.reference.bass:build", "--port", "70000"])
    assert caught.value.code == 2
    assert "'70000' is not a port" in capsys.readouterr().err


def test_port_in_use_says_what_to_do(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["explore", "sdmodels.reference.bass:build", "--port", str(port)])
    assert code == 2
    assert f"--port {port}: the port is in use on 127.0.0.1" in capsys.readouterr().err


def test_unknown_model_fails_before_serving(capsys):
    assert main(["explore", "sdmodels.reference.nothing:build", "--port", "0"]) == 2
    assert "cannot import module 'sdmodels.reference.nothing'" in capsys.readouterr().err


def test_command_serves_the_model_on_loopback_until_interrupted():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    process = subprocess.Popen(
        [sys.executable, "-m", "sdflow.cli", "explore", "sdmodels.reference.bass:build",
         "--option", "stop=10", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        url = f"http://127.0.0.1:{match.group(1)}"
        info = json.load(urllib.request.urlopen(f"{url}/api/model", timeout=60))
        assert (info["name"], info["stop"]) == ("bass diffusion", 10.0)
        process.send_signal(signal.SIGINT)  # Ctrl+C
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
