"""Settings: defaults, overrides read at call time, and an invalid profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from slimlab import config
from slimlab.errors import ConfigError

ALL = ("SLIMLAB_HOME", "SLIMLAB_PROFILE", "SLIMLAB_PULL", "SLIMLAB_MAVEN_MIRROR",
       "SLIMLAB_MAVEN_REPO", "SLIMLAB_MAVEN_VERSION", "SLIMLAB_DEBIAN_MIRROR",
       "SLIMLAB_RESULTS", "SLIMLAB_RUNS", "SLIMLAB_READY_TIMEOUT", "SLIMLAB_STRICT",
       "SLIMLAB_LEARNER", "CI")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_defaults(clean_env):
    home = clean_env / ".cache" / "slimlab"
    assert config.home() == home
    assert config.profile() == "auto"
    assert config.pull_setting() == "auto"
    assert config.maven_mirror() == "auto"
    assert config.maven_repo() == home / "maven-repo"
    assert config.maven_version() == "3.9.11"
    assert config.debian_mirror_override() == ""
    assert config.results_file() == home / "results.jsonl"
    assert config.runs() == 3
    assert config.ready_timeout() == 180.0
    assert config.strict() is False
    assert config.learner() == ""


def test_every_setting_is_documented():
    for name in ALL[:-1]:
        assert f"``{name}``" in config.__doc__, name


def test_overrides_are_read_at_call_time(clean_env, monkeypatch):
    monkeypatch.setenv("SLIMLAB_HOME", "~/elsewhere")
    assert config.home() == clean_env / "elsewhere"  # ~ expanded
    assert config.maven_repo() == clean_env / "elsewhere" / "maven-repo"
    monkeypatch.setenv("SLIMLAB_MAVEN_REPO", str(clean_env / "repo"))
    assert config.maven_repo() == clean_env / "repo"
    monkeypatch.setenv("SLIMLAB_RUNS", "0")
    assert config.runs() == 1  # at least one run
    monkeypatch.setenv("SLIMLAB_READY_TIMEOUT", "2.5")
    assert config.ready_timeout() == 2.5
    monkeypatch.setenv("SLIMLAB_PULL", "1")
    assert config.pull_setting() == "1"


def test_blank_values_mean_the_default(clean_env, monkeypatch):
    monkeypatch.setenv("SLIMLAB_PROFILE", "   ")
    monkeypatch.setenv("SLIMLAB_MAVEN_VERSION", "")
    assert config.profile() == "auto" and config.maven_version() == "3.9.11"


@pytest.mark.parametrize("value", ["Kit", " UPSTREAM ", "auto"])
def test_profiles_are_case_insensitive(clean_env, monkeypatch, value):
    monkeypatch.setenv("SLIMLAB_PROFILE", value)
    assert config.profile() == value.strip().lower()


def test_invalid_profile(clean_env, monkeypatch):
    monkeypatch.setenv("SLIMLAB_PROFILE", "alpine")
    with pytest.raises(ConfigError) as info:
        config.profile()
    assert "'alpine'" in str(info.value) and "kit" in info.value.hint


@pytest.mark.parametrize(("ci", "strict", "expected"), [
    ("true", None, True), ("TRUE", None, True), ("false", None, False), (None, None, False),
    ("true", "0", False), (None, "1", True),
])
def test_strict_follows_ci_unless_set(clean_env, monkeypatch, ci, strict, expected):
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    if strict is not None:
        monkeypatch.setenv("SLIMLAB_STRICT", strict)
    assert config.strict() is expected


def test_repo_root_is_the_checkout():
    assert (config.repo_root() / "helpers" / "slimlab" / "config.py").is_file()
    assert isinstance(config.repo_root(), Path)
