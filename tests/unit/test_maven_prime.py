"""Priming the Maven repository keeps its scratch space out of sample-app/, the labs' build
context: before lab 01's .dockerignore exercise it would ship inside bookshelf:basic."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from slimlab import config
from slimlab.errors import KitError
from slimlab.kit import maven, tools


@pytest.fixture
def ran(monkeypatch, tmp_path):
    calls: list[dict[str, str]] = []
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(maven, "maven_home", lambda: tmp_path / "maven")
    monkeypatch.setattr(maven, "_env", lambda: {})  # no JDK lookup

    def run_tool(argv, *, env=None, **_):
        calls.append(dict(env or {}))
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(tools, "run_tool", run_tool)
    return calls


def test_priming_writes_its_scratch_space_under_slimlab_home(ran, tmp_path):
    maven.prime(tmp_path / "repo", force=True)
    proofs = Path(ran[0]["SLIMLAB_PROOFS_DIR"])
    assert proofs == config.home() / "build-proofs"
    sample_app = config.repo_root() / "sample-app"
    assert not proofs.resolve().is_relative_to(sample_app.resolve())


def test_the_scripts_honour_the_scratch_space_they_are_given():
    lib = (config.repo_root() / "sample-app" / "scripts" / "lib.sh").read_text()
    assert 'PROOFS_DIR="${SLIMLAB_PROOFS_DIR:-' in lib


def test_a_failed_priming_names_where_its_logs_are(ran, monkeypatch, tmp_path):
    monkeypatch.setattr(tools, "run_tool", lambda argv, **_: subprocess.CompletedProcess(
        argv, 1, "", "boom"))
    with pytest.raises(KitError) as caught:
        maven.prime(tmp_path / "repo", force=True)
    assert str(config.home() / "build-proofs" / "maven-goals") in caught.value.hint
