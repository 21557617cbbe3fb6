"""One resolver decides what a notebook's argument names: variant, Dockerfile, or tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from slimlab import config, workbook
from slimlab.errors import ConfigError
from slimlab.variants import variant


@pytest.fixture(autouse=True)
def _in_lab_01(monkeypatch):
    monkeypatch.delenv("SLIMLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(config.repo_root() / "labs" / "01-layers")  # where its kernel runs


def test_a_catalog_name_and_its_tag_are_the_variant():
    for what in ("basic", "bookshelf:basic", variant("basic")):
        t = workbook.resolve(what)
        assert (t.name, t.lab, t.tag) == ("basic", "01-layers", "bookshelf:basic")
        assert t.dockerfile == variant("basic").path


def test_dockerfiles_relative_to_the_notebook_or_the_workbook():
    here = workbook.resolve("Dockerfile.cleanup-later")
    there = workbook.resolve("labs/01-layers/Dockerfile.cleanup-later")
    assert here.dockerfile == there.dockerfile == (
        config.repo_root() / "labs/01-layers/Dockerfile.cleanup-later").resolve()
    assert here.tag == "bookshelf:custom.cleanup-later" and here.lab == "01-layers"
    assert workbook.resolve(Path("Dockerfile"), tag="me:mine").tag == "me:mine"


def test_a_bare_tag_can_be_measured_not_built():
    t = workbook.resolve("slimlab-kit/distroless:trixie")
    assert t.tag == "slimlab-kit/distroless:trixie" and t.dockerfile is None
    with pytest.raises(ConfigError, match="not something to build"):
        t.buildable()


def test_unknown_names_and_missing_files_are_config_errors():
    with pytest.raises(ConfigError, match="no variant 'basik'"):
        workbook.resolve("basik")
    with pytest.raises(ConfigError, match="no Dockerfile"):
        workbook.resolve("Dockerfile.nope")
