"""Grading: synthetic learners re-executed on the engine, scored, and cleaned up.

Each learner is a tiny attendee edition made here, graded against a tiny workbook (the
instructor's notebooks, which say what is scored): lab ``01-secret`` builds a Dockerfile
``FROM`` the kit's minimal OS image and checks what is inside; lab ``02-more`` checks
numbers and where the helpers come from. The parts that need no engine (scoring, file
names, the CSV, the kernel's environment and end) are in ``tests/unit/test_grade.py``.
"""

from __future__ import annotations

import csv
import json
import subprocess
import uuid
from pathlib import Path

import nbformat
import pytest
from slimlab import grade as grade_mod

TAG = "slimlab-gradetest:secret"
LAB1, LAB2 = "01-secret", "02-more"
LEARNERS = ("alice", "bob", "carol", "dave")

GOOD_DOCKERFILE = "ARG OS_IMAGE=debian:trixie-slim\nFROM ${OS_IMAGE}\nRUN echo hi > /etc/motd\n"
SECRET_DOCKERFILE = "ARG OS_IMAGE=debian:trixie-slim\nFROM ${OS_IMAGE}\nRUN echo pw > /etc/secret\n"
BROKEN_DOCKERFILE = "ARG OS_IMAGE=debian:trixie-slim\nFROM ${OS_IMAGE}\nRUN exit 3\n"

LAB1_CELLS = [
    "import slimlab as sl",
    f"sl.build('Dockerfile', tag={TAG!r}, context='.', quiet=True)",
    f"sl.check({LAB1!r}, 'no secret inside', sl.image({TAG!r}).has('/etc/secret'), "
    "expect=False, points=2, hint='Do not write /etc/secret into the image.')",
    f"sl.check({LAB1!r}, 'small image', sl.image({TAG!r}).size_bytes / 1e6, at_most=500, "
    "unit='MB')",
]
LAB2_CELLS = [
    "import os\nfrom pathlib import Path\nimport slimlab as sl",
    # the kit's helpers run from the learner's copy, so catalog paths point at their labs
    f"sl.check({LAB2!r}, 'helpers from the copy', "
    "Path(sl.__file__).resolve().parents[2] == Path.cwd().resolve().parents[1], expect=True)",
    f"sl.check({LAB2!r}, 'learner label', os.environ['SLIMLAB_LEARNER'] != '', expect=True)",
    "print('I printed a perfect score: 100/100')",
    f"sl.check({LAB2!r}, 'last check', 2 + 2, equals=4)",
]
HANG = "import time\ntime.sleep(600)"
KIT_OS = "slimlab-kit/os:trixie"


def _notebook(cells: list[str], path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _lab(learner_dir: Path, lab: str, cells: list[str] | None, dockerfile: str = "",
         raw: str = "") -> None:
    folder = learner_dir / "labs" / lab
    folder.mkdir(parents=True, exist_ok=True)
    if raw:
        (folder / f"{lab}.ipynb").write_text(raw)
    elif cells is not None:
        _notebook(cells, folder / f"{lab}.ipynb")
    if dockerfile:
        (folder / "Dockerfile").write_text(dockerfile)


def _workbook(root: Path) -> Path:
    """The instructor's notebooks: they alone say which checkpoints count, and for how much."""
    _lab(root, LAB1, LAB1_CELLS, GOOD_DOCKERFILE)
    _lab(root, LAB2, LAB2_CELLS)
    return root


def _submissions(root: Path) -> Path:
    """alice: perfect; bob: a secret in the image; carol: a Dockerfile that does not build
    and a notebook that is not JSON; dave: perfect lab 01, a cell that hangs in lab 02."""
    _lab(root / "alice", LAB1, LAB1_CELLS, GOOD_DOCKERFILE)
    _lab(root / "alice", LAB2, LAB2_CELLS)
    _lab(root / "bob", LAB1, LAB1_CELLS, SECRET_DOCKERFILE)
    _lab(root / "bob", LAB2, LAB2_CELLS)
    _lab(root / "carol", LAB1, LAB1_CELLS, BROKEN_DOCKERFILE)
    _lab(root / "carol", LAB2, None, raw='{"cells": [ this is not json')
    _lab(root / "dave", LAB1, LAB1_CELLS, GOOD_DOCKERFILE)
    _lab(root / "dave", LAB2, [*LAB2_CELLS[:3], HANG, *LAB2_CELLS[3:]])
    return root


def _docker_ids(kind: str, learner: str) -> list[str]:
    args = (["ps", "-aq"] if kind == "containers" else ["images", "-q"])
    done = subprocess.run(["docker", *args, "--filter", f"label=slimlab.learner={learner}"],
                          capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.fixture
def kit_env(engine: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kit base images, no Maven mirror, and nothing left from an earlier run (``engine``
    is the shared fixture: skipped without an engine locally, failed in CI)."""
    from slimlab import engine as slim_engine

    if not slim_engine.image_exists("slimlab-kit/os:trixie"):
        pytest.skip("the kit image slimlab-kit/os:trixie is missing (make kit)")
    monkeypatch.setenv("SLIMLAB_PROFILE", "kit")
    monkeypatch.setenv("SLIMLAB_MAVEN_MIRROR", "off")
    monkeypatch.delenv("SLIMLAB_LEARNER", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for learner in (*LEARNERS, "erin", "frank", "gina"):
        grade_mod.remove_learner(learner)


def _rows(out: Path) -> list[dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _earned(rows: list[dict[str, str]], learner: str, lab: str) -> tuple[float, float]:
    mine = [r for r in rows if r["learner"] == learner and r["lab"] == lab]
    return sum(float(r["earned"]) for r in mine), sum(float(r["points"]) for r in mine)


def _reasons(rows: list[dict[str, str]], learner: str, lab: str) -> list[str]:
    return [r["message"] for r in rows if r["learner"] == learner and r["lab"] == lab
            and r["checkpoint"] == grade_mod.SUBMISSION]


@pytest.mark.engine
def test_grade_learners(tmp_path: Path, kit_env: None) -> None:
    subs = _submissions(tmp_path / "subs")
    out = tmp_path / "out"
    report = grade_mod.grade(subs, out, cell_timeout=25, learner_timeout=300,
                             workbook=_workbook(tmp_path / "workbook"))

    rows = _rows(out)
    assert list(rows[0]) == list(grade_mod.CSV_COLUMNS)
    assert report.learners == list(LEARNERS) and report.labs == [LAB1, LAB2]

    # alice: everything; printed claims ("100/100") count for nothing
    assert _earned(rows, "alice", LAB1) == (3, 3)
    assert _earned(rows, "alice", LAB2) == (3, 3)
    assert not _reasons(rows, "alice", LAB1) and not _reasons(rows, "alice", LAB2)

    # bob: the secret is measured inside his image
    secret = next(r for r in rows if r["learner"] == "bob" and r["checkpoint"] ==
                  "no secret inside")
    assert secret["passed"] == "false" and secret["earned"] == "0" and secret["points"] == "2"
    assert secret["measured"] == "true" and "Do not write /etc/secret" in secret["message"]
    assert _earned(rows, "bob", LAB1) == (1, 3)
    assert _earned(rows, "bob", LAB2) == (3, 3)

    # carol: a build that fails, then a notebook that is not JSON: zero plus a reason each
    assert _earned(rows, "carol", LAB1) == (0, 3)
    assert any("does not build" in m for m in _reasons(rows, "carol", LAB1))
    assert _earned(rows, "carol", LAB2) == (0, 3)
    assert any("cannot be read" in m for m in _reasons(rows, "carol", LAB2))
    unread = [r for r in rows if r["learner"] == "carol" and r["lab"] == LAB2
              and r["checkpoint"] != grade_mod.SUBMISSION]
    assert {r["checkpoint"] for r in unread} == {"helpers from the copy", "learner label",
                                                 "last check"}
    assert (out / "failures" / "carol" / f"{LAB1}.log").read_text().count("BuildFailed") >= 1

    # dave: what ran before the hang counts; the check after it does not
    assert _earned(rows, "dave", LAB1) == (3, 3)
    assert _earned(rows, "dave", LAB2) == (2, 3)
    assert any("cell timeout (25 s)" in m for m in _reasons(rows, "dave", LAB2))
    assert "time.sleep(600)" in (out / "failures" / "dave" / f"{LAB2}.log").read_text()

    page = (out / "report.html").read_text()
    for learner in LEARNERS:
        assert f">{learner}</h2>" in page
    assert "Do not write /etc/secret into the image." in page
    assert "3/3" in report.summary() and "carol" in report.summary()
    assert json.loads(json.dumps(report.to_dict()))["totals"]["bob"][LAB1] == {
        "earned": 1.0, "points": 3.0}
    assert (out / "results" / "alice.jsonl").exists()

    for learner in LEARNERS:
        assert _docker_ids("containers", learner) == [], learner
        assert _docker_ids("images", learner) == [], learner


@pytest.mark.engine
def test_learner_over_total_time(tmp_path: Path, kit_env: None) -> None:
    subs = tmp_path / "subs"
    _lab(subs / "erin", LAB1, ["import slimlab as sl", HANG])
    _lab(subs / "erin", LAB2, LAB2_CELLS)
    out = tmp_path / "out"
    grade_mod.grade(subs, out, cell_timeout=120, learner_timeout=12,
                    workbook=_workbook(tmp_path / "workbook"))
    rows = _rows(out)
    assert any("total time (12 s)" in m for m in _reasons(rows, "erin", LAB1))
    assert any(m.startswith("not run") for m in _reasons(rows, "erin", LAB2))
    assert _docker_ids("containers", "erin") == []


@pytest.mark.engine
def test_interrupt_still_removes_the_learners_images(
    tmp_path: Path, kit_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while grading: the interrupt propagates, and what the learner built goes."""
    subs = tmp_path / "subs"
    _lab(subs / "frank", LAB1, LAB1_CELLS, GOOD_DOCKERFILE)
    real = grade_mod._grade_lab

    def interrupted(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # the image is built and labelled...
        assert _docker_ids("images", "frank"), "the notebook should have built an image"
        raise KeyboardInterrupt  # ...then the instructor presses Ctrl+C

    monkeypatch.setattr(grade_mod, "_grade_lab", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade_mod.grade(subs, tmp_path / "out", cell_timeout=60, learner_timeout=120,
                        workbook=_workbook(tmp_path / "workbook"))
    assert _docker_ids("images", "frank") == []
    assert _docker_ids("containers", "frank") == []


def _docker_out(*args: str) -> list[str]:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.engine
def test_unlabelled_docker_objects_are_removed(tmp_path: Path, kit_env: None) -> None:
    """``!docker create`` and ``!docker commit`` carry no learner label: they go by id,
    and the kit image they were made from, there before grading, stays."""
    suffix = uuid.uuid4().hex[:8]
    name, tag = f"slimlab-gradetest-{suffix}", f"slimlab-gradetest:unlabelled-{suffix}"
    cells = [
        "import subprocess",
        f"subprocess.run(['docker', 'create', '--name', {name!r}, {KIT_OS!r}, 'true'], "
        "check=True, capture_output=True)",
        f"subprocess.run(['docker', 'commit', {name!r}, {tag!r}], check=True, "
        "capture_output=True)",
        f"import slimlab as sl\nsl.check({LAB2!r}, 'last check', 2 + 2, equals=4)",
    ]
    subs = tmp_path / "subs"
    _lab(subs / "gina", LAB2, cells)
    out = tmp_path / "out"
    report = grade_mod.grade(subs, out, cell_timeout=120, learner_timeout=300, labs=[LAB2],
                             workbook=_workbook(tmp_path / "workbook"))
    # gina is the only learner and records one of the lab's checkpoints: the others were
    # measured by nobody, so they count for nobody (and the report says so)
    assert _earned(_rows(out), "gina", LAB2) == (1, 1)
    assert [p for p in report.problems if "counts for nobody" in p]
    assert not [p for p in report.problems if "cleanup" in p], report.problems
    assert _docker_out("ps", "-aq", "--filter", f"name=^{name}$") == []
    assert _docker_out("images", "-q", tag) == []
    assert _docker_out("images", "-q", KIT_OS) != []
