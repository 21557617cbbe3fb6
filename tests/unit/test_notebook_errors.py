"""In a notebook a Slimlab error is one short message with its fix, never a traceback wall."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from slimlab import config
from slimlab.errors import ConfigError, EngineUnavailable


def _run(source: str, env: dict[str, str], monkeypatch) -> list[str]:
    """Run one cell in a real kernel; the error output's lines, as JupyterLab shows them."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(config.repo_root() / "helpers"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    errors = [o for o in nb.cells[0].outputs if o.get("output_type") == "error"]
    assert len(errors) == 1, nb.cells[0].outputs
    return "\n".join(errors[0]["traceback"]).splitlines()


def test_setup_with_the_engine_down_is_short(monkeypatch, tmp_path):
    lines = _run("import slimlab as sl\nsl.setup('01-layers')",
                 {"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}, monkeypatch)
    text = "\n".join(lines)
    assert len(lines) <= 15, text
    assert "EngineUnavailable" in text and "Cannot reach the Docker engine" in text
    assert "What to do:" in text and "Traceback" not in text


def test_a_bad_setting_names_itself(monkeypatch):
    lines = _run("import slimlab as sl\nsl.config.runs()", {"SLIMLAB_RUNS": "three"},
                 monkeypatch)
    assert len(lines) <= 15 and "SLIMLAB_RUNS='three' is not a number" in "\n".join(lines)


def test_render_traceback_keeps_the_last_log_lines():
    err = EngineUnavailable("down", hint="start it", log="\n".join(f"l{i}" for i in range(40)))
    lines = err._render_traceback_()
    assert lines[-1].endswith("start it") and "    l39" in lines and "    l29" not in lines
    assert len(lines) <= 15


def test_numeric_settings(monkeypatch):
    monkeypatch.setenv("SLIMLAB_READY_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="SLIMLAB_READY_TIMEOUT"):
        config.ready_timeout()
    monkeypatch.setenv("SLIMLAB_READY_TIMEOUT", "90")
    assert config.ready_timeout() == 90.0


def test_an_sdk_timeout_in_a_notebook_is_one_short_message(monkeypatch):
    source = ("import importlib, requests\n"
              "__import__('slimlab.session').session._short_sdk_errors()\n"
              "raise requests.exceptions.ReadTimeout('UnixHTTPConnectionPool: Read timed out.')")
    lines = _run(source, {}, monkeypatch)
    text = "\n".join(lines)
    assert len(lines) <= 15 and "did not answer in time" in text and "Traceback" not in text


def test_sdk_errors_become_typed_slimlab_errors():
    import requests
    from docker.errors import APIError
    from slimlab import engine

    lost = engine.short_error(requests.exceptions.ConnectionError("Connection aborted."))
    assert isinstance(lost, EngineUnavailable) and "lost" in lost.message
    refused = engine.short_error(APIError("500 Server Error", explanation="no such image: x"))
    assert refused.message == "Docker refused: no such image: x" and refused.hint
