"""`make lab` from this checkout opens a working JupyterLab: the first lab's page and the
kernel list answer over HTTP on 127.0.0.1, and stopping it leaves nothing running."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+)/lab\S*\?token=(\w+)")

pytestmark = pytest.mark.engine


def _get(url: str, wait: float = 60) -> tuple[int, str]:
    """GET, retrying while the server is not listening yet (it logs its URL first)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    """Stop make and the JupyterLab it started (one process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _free_port() -> int:
    # JupyterLab 4 logs a wrong URL for --port=0, so hand it a port that is free now.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_lab_serves_the_first_lab_and_its_kernel(engine):  # make lab runs doctor
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab",
         f"LAB_FLAGS=--no-browser --port={_free_port()} --ServerApp.port_retries=0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 300
        match = None
        while match is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            match = URL_RE.search(line)
        assert match, "make lab printed no URL with a token:\n" + "".join(seen[-30:])
        base, token = match.groups()
        status, page = _get(f"{base}/lab/tree/labs/01-layers/01-layers.ipynb?token={token}")
        assert status == 200 and "JupyterLab" in page
        status, body = _get(f"{base}/api/kernelspecs?token={token}")
        specs = json.loads(body)
        assert status == 200 and "python3" in specs["kernelspecs"]
        status, body = _get(f"{base}/api/contents/labs/01-layers/01-layers.ipynb"
                            f"?content=0&token={token}")
        assert json.loads(body)["type"] == "notebook"
    finally:
        _stop(process)
    assert "doctor" in "".join(seen) or "engine" in "".join(seen)
