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


def _opening(path: Path) -> str:
    return "".join(json.loads(path.read_text())["cells"][0]["source"])


def _sections(path: Path) -> list[str]:
    """The lab's numbered ``## N · …`` headings, in order."""
    cells = json.loads(path.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells[1:] if c["cell_type"] == "markdown")
    return re.findall(r"^## (\d+ · .+?)\s*$", text, re.MULTILINE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_every_lab_opens_the_same_way(path: Path):
    """Objectives, questions, symptom/cause/fix/value, and the time split by section."""
    opening = _opening(path)
    assert opening.startswith("# Lab "), "the opening starts with the lab's title"
    for part in ("**You will**", "**Questions this lab answers**", "(../glossary.md)"):
        assert part in opening, f"the opening lacks {part}"
    for row in ("symptom", "cause", "fix", "value"):
        assert re.search(rf"^\| \*\*{row}\*\* \| \S", opening, re.MULTILINE), f"no {row} row"
    questions = re.findall(r"^- .+\?\s*$", opening, re.MULTILINE)
    assert 2 <= len(questions) <= 4, "two to four questions the lab answers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_the_time_split_names_every_section_and_adds_up(path: Path):
    opening = _opening(path)
    total = re.search(r"\*\*Time:\*\* about (\d+) minutes", opening)
    assert total, "the opening says **Time:** about N minutes"
    split = re.findall(r"^\| (\d+ · .+?) \| (\d+) \|$", opening, re.MULTILINE)
    assert [name for name, _ in split] == _sections(path), \
        "the time split lists the lab's numbered ## sections, in order"
    assert sum(int(m) for _, m in split) == int(total.group(1)), "the split adds up to the total"
    index = (LABS / "README.md").read_text()
    assert re.search(rf"\[{path.parent.name}\].*\| {total.group(1)} min \|", index), \
        "labs/README.md states the same time"


# Helper calls that build, push or start containers: each can wait well over 20 s.
SLOW_CALL = re.compile(r"(?<!plot_)\b(build|ensure|delivery|startup|immutable_layers|"
                       r"copy_on_write|cache_order|cache_mount|compression|production|"
                       r"without_database|start_each|measure_each|strip_debug|build_native|"
                       r"spring_aot|fails_at_startup)\(")
HOW_LONG = re.compile(r"(?i)\b(usually|about|under|takes?|within)\b[^.]{0,80}?"
                      r"\b(\d+|a|one|two|three|a few)\b[–-]?\d*\s*(seconds?|s|minutes?|min)\b")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_no_waiting_blind(path: Path):
    """A cell that builds, pushes or starts containers says how long it usually takes, in
    its comment lines or in the prose at most two cells before it."""
    cells = json.loads(path.read_text())["cells"]
    blind = []
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or source.startswith("sl.check(") \
                or not SLOW_CALL.search(source):
            continue
        said = [line for line in source.splitlines() if line.lstrip().startswith("#")]
        said += ["".join(c["source"]) for c in cells[max(0, index - 2):index]
                 if c["cell_type"] == "markdown"]
        if not any(HOW_LONG.search(text) for text in said):
            blind.append(f"cell {index}: {source.splitlines()[0][:60]}")
    assert not blind, "say how long these usually take:\n" + "\n".join(blind)
