"""The helpers read the workbook copy the notebook runs in, never the copy the package was
installed from: an attendee's Dockerfiles are what gets shown, built and measured."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from slimlab import config
from slimlab.errors import ConfigError
from slimlab.variants import variant

MARKER = "# this is the attendee's own copy"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A second workbook copy whose ordered Dockerfile differs from the package's."""
    root = tmp_path / "attendee"
    shutil.copytree(config.repo_root() / "labs", root / "labs")
    (root / "sample-app").mkdir()
    shutil.copy(config.repo_root() / "sample-app" / "pom.xml", root / "sample-app")
    ordered = root / "labs" / "01-layers" / "Dockerfile.ordered"
    ordered.write_text(MARKER + "\nFROM scratch\n")
    return root


def test_the_copy_holding_the_current_folder_wins(copy, monkeypatch):
    monkeypatch.delenv("SLIMLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(copy / "labs" / "01-layers")
    assert config.workbook_root() == copy.resolve()
    assert variant("ordered").path.read_text().startswith(MARKER)
    assert config.repo_root() != copy.resolve()  # the package lives elsewhere


def test_outside_any_copy_the_packages_checkout_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("SLIMLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.workbook_root() == config.repo_root()


def test_an_explicit_setting_must_be_a_workbook(tmp_path, monkeypatch, copy):
    monkeypatch.setenv("SLIMLAB_WORKBOOK", str(copy))
    assert config.workbook_root() == copy.resolve()
    monkeypatch.setenv("SLIMLAB_WORKBOOK", str(tmp_path / "nothing"))
    with pytest.raises(ConfigError, match="not a workbook copy"):
        config.workbook_root()


def test_a_notebook_in_the_copy_shows_the_copys_dockerfile(copy, monkeypatch):
    """Run as JupyterLab runs it: a kernel started in the lab folder of the copy, with the
    package imported from this checkout, running lab 01's own cell that shows
    Dockerfile.ordered (the engine-free cells: sl.setup would need an engine)."""
    monkeypatch.delenv("SLIMLAB_WORKBOOK", raising=False)
    lab = copy / "labs" / "01-layers"
    lab01 = nbformat.read(lab / "01-layers.ipynb", as_version=4)
    show = next(c.source for c in lab01.cells
                if c.cell_type == "code" and 'show_dockerfile("ordered")' in c.source)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import slimlab as sl"), nbformat.v4.new_code_cell(show),
        nbformat.v4.new_code_cell("print('workbook:', sl.config.workbook_root())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    monkeypatch.setenv("PYTHONPATH", str(config.repo_root() / "helpers"))
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(lab)}}).execute()
    shown = "".join(o.get("data", {}).get("text/markdown", "") for o in nb.cells[1].outputs)
    assert MARKER in shown, nb.cells[1].outputs
    assert "BEGIN SOLUTION" not in shown
    assert f"workbook: {copy.resolve()}" in nb.cells[2].outputs[0]["text"]
