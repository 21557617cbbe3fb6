"""Files that would answer an exercise wait in the attendee edition until the lab needs them
or the exercise has been attempted, and no other file of the lab gives the answer away."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from slimlab import checkpoints, config, edition, later, workbook
from slimlab.hints import EXERCISES

ROOT = config.repo_root()

# Each exercise's fix, as it would appear in a Dockerfile or an ignore file.
FIX_IN_FILES = {
    "cleanup": r"&& rm -rf /var/lib/apt/lists",
    "ordered": r"dependency:go-offline",
    "dockerignore": r"(?m)^/?target/?\s*$",
    "runtime-stage": r"COPY --from=build",
    "jre-base": r"FROM \$\{JRE",
    "debuginfo": r"-name '\*\.debuginfo' -delete",
    "aot-cache": r"AOTMode=on",
}
# Where the answer is a recall on purpose, and why.
RECALL = {
    "spring-aot": "lab 04 builds bookshelf:aot with the same profile and explains it; lab 05 "
                  "asks the learner to turn it on again in a Dockerfile of their own",
}


@pytest.fixture(scope="module")
def attendee(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "attendee"
    edition.write(out)
    return out


def test_the_edition_holds_back_each_listed_file(attendee: Path):
    for rel in later.HELD_BACK:
        assert (ROOT / rel).is_file(), f"{rel} is not in the workbook"
        assert not (attendee / rel).exists(), f"{rel} is in plain sight"
        assert (attendee / later.LATER_DIR / rel).is_file(), f"{rel} was lost"


def test_every_held_file_names_a_real_exercise():
    assert set(later.HELD_BACK.values()) <= set(EXERCISES)


@pytest.mark.parametrize("key", [k for k in EXERCISES if k in FIX_IN_FILES or k in RECALL])
def test_no_file_in_sight_gives_an_exercise_away(attendee: Path, key: str):
    if key in RECALL:
        pytest.skip(RECALL[key])
    exercise = EXERCISES[key]
    lab = attendee / "labs" / exercise.lab
    in_sight = [*lab.glob("Dockerfile*"), attendee / "sample-app" / ".dockerignore"]
    leaks = [p.relative_to(attendee).as_posix() for p in in_sight
             if p.is_file() and p.relative_to(attendee).as_posix() != exercise.file
             and re.search(FIX_IN_FILES[key], p.read_text(encoding="utf-8"))]
    assert not leaks, f"{key}: {leaks} show the fix ({FIX_IN_FILES[key]!r})"


def _first_cell(notebook: Path, *needles: str) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return next((i for i, c in enumerate(cells) if c["cell_type"] == "code"
                 and any(n in "".join(c["source"]) for n in needles)), len(cells))


@pytest.mark.parametrize("rel", [r for r in later.HELD_BACK if r.startswith("labs/")])
def test_a_held_file_is_first_needed_after_its_exercise_was_tried(rel: str):
    """Else the lab would bring the answer back before the learner tried."""
    exercise = EXERCISES[later.HELD_BACK[rel]]
    notebook = ROOT / "labs" / exercise.lab / f"{exercise.lab}.ipynb"
    variant = next((v.name for v in workbook.CATALOG if v.dockerfile == rel), None)
    uses = [f'"{Path(rel).name}"', *([f'("{variant}"'] if variant else [])]
    tried = _first_cell(notebook, *(f'"{name}"' for name in exercise.checkpoints))
    assert tried < _first_cell(notebook, *uses)


def test_a_build_brings_a_held_file_back_once(attendee: Path, monkeypatch, capsys):
    monkeypatch.setenv("SLIMLAB_WORKBOOK", str(attendee))
    rel = "labs/01-layers/Dockerfile.cache-mount"
    path = workbook.resolve("cache-mount").buildable()
    assert path == attendee / rel and path.is_file()
    assert not (attendee / later.LATER_DIR / rel).exists()
    assert "Dockerfile.cache-mount is now in your workbook" in capsys.readouterr().out
    workbook.resolve("cache-mount").buildable()
    assert capsys.readouterr().out == ""


def test_an_attempt_brings_the_exercise_files_back(attendee: Path, tmp_path: Path,
                                                   monkeypatch, capsys):
    monkeypatch.setenv("SLIMLAB_WORKBOOK", str(attendee))
    monkeypatch.setenv("SLIMLAB_RESULTS", str(tmp_path / "results.jsonl"))
    monkeypatch.delenv("CI", raising=False)
    ignore = attendee / "sample-app" / ".dockerignore"
    checkpoints.checkpoint("01-layers", "bookshelf:basic answers /api/books", 200, equals=200)
    assert not ignore.exists(), "a checkpoint of no exercise released it"
    tried = EXERCISES["dockerignore"].checkpoints[0]
    checkpoints.checkpoint("01-layers", tried, False, expect=True)
    assert ignore.is_file(), "a failed attempt is still an attempt"
    assert "target/" in ignore.read_text()
    assert "you have tried the 'dockerignore' exercise" in capsys.readouterr().out


def test_a_learners_own_file_is_never_replaced(tmp_path: Path):
    rel = "sample-app/.dockerignore"
    (tmp_path / later.LATER_DIR / "sample-app").mkdir(parents=True)
    (tmp_path / "sample-app").mkdir()
    (tmp_path / later.LATER_DIR / rel).write_text("target/\n")
    (tmp_path / "sample-app" / ".dockerignore").write_text("mine\n")
    assert not later.release(rel, "test", tmp_path)
    assert (tmp_path / rel).read_text() == "mine\n"
