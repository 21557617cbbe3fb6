"""Rules every committed lab follows, so a new lab cannot quietly break them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LABS = ROOT / "labs"
NOTEBOOKS = sorted(LABS.glob("*/*.ipynb"))
DOCKERFILES = sorted(LABS.glob("*/Dockerfile*"))
LAB_DIRS = sorted(p for p in LABS.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_every_lab_folder_has_its_notebook():
    assert LAB_DIRS, "no lab folders found"
    for lab in LAB_DIRS:
        assert (lab / f"{lab.name}.ipynb").exists(), f"{lab} has no {lab.name}.ipynb"


@pytest.mark.parametrize("lab", LAB_DIRS, ids=lambda p: p.name)
def test_a_lab_folder_holds_its_notebook_and_dockerfiles_only(lab: Path):
    strays = [p.name for p in lab.iterdir()
              if not (p.name == f"{lab.name}.ipynb" or p.name.startswith("Dockerfile")
                      or p.name == ".ipynb_checkpoints")]
    assert not strays, f"{lab.name} holds files other than its notebook and Dockerfiles"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_committed_notebooks_carry_no_outputs(path: Path):
    notebook = json.loads(path.read_text())
    assert notebook["nbformat"] == 4
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {index} of {path.name} has outputs"
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebooks_use_only_the_package_face(path: Path):
    notebook = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "import slimlab as sl" in code
    assert not re.search(r"^\s*(import docker|from docker)", code, re.MULTILINE)
    assert not re.search(r"^\s*from slimlab\.", code, re.MULTILINE), \
        "notebooks import only the package's face (sl.…)"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_dockerfiles_name_upstream_bases_through_build_arguments(path: Path):
    text = path.read_text()
    assert "slimlab-kit" not in text, "a Dockerfile never names a kit image"
    for line in re.findall(r"^\s*FROM\s+(\S+)", text, re.MULTILINE):
        stage_ref = line.startswith("${") or line == "scratch"
        assert stage_ref or re.fullmatch(r"[a-z0-9-]+", line), \
            f"FROM {line}: use a build argument (ARG X_IMAGE=upstream) or a stage name"
    for name, default in re.findall(r"^\s*ARG\s+([A-Z_]+_IMAGE)=(\S+)", text, re.MULTILINE):
        assert "/" in default or ":" in default, f"{name} should default to an upstream image"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_app_shipped_on_the_maven_image_skips_its_entrypoint(path: Path):
    """Upstream's maven image starts through mvn-entrypoint.sh, which writes
    ~/.m2/copy_reference_file.log at every start: noise in lab 01's copy-on-write demo."""
    from slimlab.dockerfile import final_base

    text = path.read_text()
    final_stage = text[text.rindex("\nFROM "):]
    if final_base(text) == "maven:3.9-eclipse-temurin-25" and "\nCMD " in final_stage:
        assert "ENTRYPOINT []" in final_stage, f"{path.name} runs the app via mvn-entrypoint"


ENVIRONMENT_CLAIMS = ("no registry can be reached", "no container registry can be reached",
                      "mirror on this machine", "mirror on this same machine",
                      "costs seconds", "cannot be reached here")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_prose_states_nothing_about_the_environment_that_setup_did_not_find(path: Path):
    """A laptop has a registry and no mirror; the kit has neither: what this run measures
    on is said by `sl.setup` (session.environment), never by the prose."""
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(notebook["cells"]):
        text = " ".join("".join(cell["source"]).lower().split())
        for claim in ENVIRONMENT_CLAIMS:
            assert claim not in text, f"cell {index} of {path.name} says {claim!r}"
