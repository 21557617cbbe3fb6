"""Every exercise's hints give away more at each level, its prose and prompt do not give the
fix, and its solution opens only after an attempt, recorded for the instructor."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from slimlab import config, edition, grade, hints
from slimlab.checkpoints import CheckpointResult, _append
from slimlab.errors import ConfigError
from slimlab.hints import EXERCISES

ROOT = config.repo_root()

# A piece of each fix: in hint 3 and in the solution, never in hints 1–2, the prompt, or the
# lab's prose before the exercise's first checkpoint.
FIX = {
    "cleanup": "&& rm -rf",
    "ordered": "dependency:go-offline",
    "dockerignore": '"target/"',
    "runtime-stage": "app.jar",
    "production-deps": "com.h2database",
    "jre-base": "${JRE_IMAGE}",
    "bloat-pattern": ".debuginfo",
    "debuginfo": "-delete",
    "aot-cache": "AOTMode=on",
    "spring-aot": "-Pnative",
}


@pytest.fixture
def results(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "results.jsonl"
    monkeypatch.setenv("SLIMLAB_RESULTS", str(path))
    monkeypatch.setenv("SLIMLAB_LEARNER", "ana")
    return path


def test_every_exercise_has_a_fix_to_look_for():
    assert set(FIX) == set(EXERCISES)


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_hints_give_away_more_at_each_level(key: str, results: Path):
    first, second, third = (hints.hint(key, level) for level in (1, 2, 3))
    assert [h.level for h in (first, second, third)] == [1, 2, 3]
    assert f"sl.hint({key!r}, 2)" in first._repr_markdown_()
    assert f"sl.reveal({key!r})" in third._repr_markdown_()
    if FIX[key]:
        assert FIX[key] in third.text
        assert FIX[key] not in first.text and FIX[key] not in second.text
    assert hints.hint(key, 9).level == 3 and hints.hint(key, 0).level == 1
    levels = [json.loads(line)["level"] for line in results.read_text().splitlines()]
    assert levels == [1, 2, 3, 3, 1]  # each hint asked for is recorded


def test_an_unknown_exercise_names_the_known_ones(results: Path):
    with pytest.raises(ConfigError) as info:
        hints.hint("jlink")
    assert "cleanup" in info.value.hint and "spring-aot" in info.value.hint


def _cells(lab: str) -> list[nbformat.NotebookNode]:
    return nbformat.read(ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4).cells


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_the_exercise_is_wired_into_its_lab(key: str):
    """Its file holds a solution region with the fix, its checkpoints are the lab's, a hint
    cell follows them, and neither the prompt nor the prose before them gives the fix."""
    found = EXERCISES[key]
    solution = hints.solution_text(key, ROOT)
    cells = _cells(found.lab)
    code = [c.source for c in cells if c.cell_type == "code"]
    names = {n for s in code for n in re.findall(r'sl\.check\(LAB,\s*"([^"]+)"', s)}
    assert set(found.checkpoints) <= names, set(found.checkpoints) - names
    first_check = next(i for i, c in enumerate(cells) if c.cell_type == "code"
                       and any(f'"{name}"' in c.source for name in found.checkpoints))
    hint_cell = next(i for i, c in enumerate(cells) if c.source == f'sl.hint("{key}", 1)')
    assert hint_cell > first_check
    if FIX[key] is None:
        return
    assert FIX[key] in solution
    path = ROOT / found.file
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        text = "\n".join(code)
    prompt, count = edition.strip_solutions(text)
    assert count >= 1 and FIX[key] not in prompt
    prose = "\n".join(c.source for c in cells[:first_check] if c.cell_type == "markdown")
    assert FIX[key] not in prose


def _attempt(lab: str, name: str) -> None:
    _append(CheckpointResult(lab=lab, name=name, passed=False, measured=1.0,
                             expected="", learner=config.learner()).to_dict())


def test_the_solution_opens_only_after_an_attempt_and_is_recorded(results: Path):
    with pytest.raises(ConfigError) as info:
        hints.reveal("cleanup")
    assert "Try 'cleanup' first" in info.value.message
    assert "same-RUN cleanup image is smaller" in info.value.message
    _attempt("01-layers", "no apt lists in any layer of the same-RUN image")
    shown = hints.reveal("cleanup")
    assert "&& rm -rf /var/lib/apt/lists" in shown.text and "BEGIN" not in shown.text
    assert "recorded as revealed" in shown._repr_markdown_()
    last = json.loads(results.read_text().splitlines()[-1])
    assert (last["kind"], last["exercise"], last["level"], last["learner"]) == \
        ("hint", "cleanup", "solution", "ana")


def test_another_learners_attempt_does_not_open_it(results: Path, monkeypatch):
    monkeypatch.setenv("SLIMLAB_LEARNER", "bo")
    _attempt("01-layers", "same-RUN cleanup image is smaller")
    monkeypatch.setenv("SLIMLAB_LEARNER", "ana")
    assert not hints.attempted("cleanup")


def test_the_attendee_edition_keeps_the_solutions_out_of_its_files(tmp_path: Path, results,
                                                                   monkeypatch):
    out = tmp_path / "attendee"
    report = edition.write(out)
    saved = json.loads((out / edition.SOLUTIONS_FILE).read_text(encoding="utf-8"))
    dockerfile = "labs/01-layers/Dockerfile.cleanup-same-run"
    assert "&& rm -rf" not in (out / dockerfile).read_text(encoding="utf-8")
    assert any("&& rm -rf" in region for region in saved[dockerfile])
    assert set(saved) == set(report.exercises)
    monkeypatch.setenv("SLIMLAB_WORKBOOK", str(out))
    for key in EXERCISES:  # every exercise's solution is found in the edition
        assert hints.solution_text(key).strip()
    _attempt("01-layers", "same-RUN cleanup image is smaller")
    assert "&& rm -rf" in hints.reveal("cleanup").text


def test_solutions_of_returns_each_region_in_order():
    text = ("A\n# BEGIN SOLUTION\nx = 1\n# BEGIN PROMPT\n#> x = 0\n# END\nB\n"
            "# BEGIN SOLUTION\ny = 2\nz = 3\n# END\n")
    assert edition.solutions_of(text) == ["x = 1", "y = 2\nz = 3"]


def test_grading_reports_the_solutions_revealed(tmp_path: Path):
    path = tmp_path / "results.jsonl"
    lines = [
        {"kind": "checkpoint", "lab": "01-layers", "name": "same-RUN cleanup image is smaller",
         "passed": True, "measured": 0.5, "expected": "", "points": 1, "learner": "ana"},
        {"kind": "hint", "lab": "01-layers", "exercise": "cleanup", "level": 3},
        {"kind": "hint", "lab": "01-layers", "exercise": "cleanup", "level": "solution"},
        {"kind": "hint", "lab": "01-layers", "exercise": "cleanup", "level": "solution"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    results, revealed, offset = grade._checkpoints_since(path, 0)
    assert revealed == ["cleanup"] and len(results) == 1 and offset == path.stat().st_size
    run = grade.LabRun("ana", "01-layers", results=results, revealed=revealed)
    expected = {"01-layers": [grade.Expected("01-layers", "same-RUN cleanup image is smaller")]}
    rows = grade.make_rows([run], expected)
    scored = [r for r in rows if not r.is_reason]
    assert [r.earned for r in scored] == [1.0]  # revealing costs no points
    assert [r.message for r in rows if r.is_reason] == [
        "solution revealed after an attempt: cleanup (sl.reveal)"]


def test_a_copy_without_solutions_says_so_and_records_nothing(tmp_path: Path, results: Path,
                                                                monkeypatch):
    copy = tmp_path / "copy"
    (copy / "labs" / "01-layers").mkdir(parents=True)
    (copy / "sample-app").mkdir()
    (copy / "sample-app" / "pom.xml").write_text("<project/>")
    (copy / "labs" / "01-layers" / "Dockerfile.cleanup-same-run").write_text("FROM x\n")
    monkeypatch.setenv("SLIMLAB_WORKBOOK", str(copy))
    _attempt("01-layers", "same-RUN cleanup image is smaller")
    shown = hints.reveal("cleanup")
    assert shown._repr_markdown_().startswith("**No solution of `cleanup` here.**")
    assert "hint" not in [json.loads(x)["kind"] for x in results.read_text().splitlines()]


def _checks(path: Path) -> list[tuple[str, bool]]:
    """(name, scored) of every ``sl.check(LAB, "name", …)`` call in a notebook."""
    import ast

    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines()
                         if not line.lstrip().startswith("%"))
        for node in ast.walk(ast.parse(code)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "check" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)):
                points = next((k.value for k in node.keywords if k.arg == "points"), None)
                scored = not (isinstance(points, ast.Constant) and points.value == 0)
                found.append((node.args[1].value, scored))
    return found


@pytest.mark.parametrize("path", sorted(ROOT.glob("labs/0*/*.ipynb")), ids=lambda p: p.stem)
def test_only_the_learners_own_work_carries_points(path: Path):
    """A check of what the lab handed over (a demonstration) is shown, not scored; every
    exercise is scored by at least one of its checkpoints."""
    tested = {name for e in EXERCISES.values() for name in e.checkpoints}
    checks = _checks(path)
    assert checks, "no checkpoints found"
    handed = [name for name, scored in checks if scored and name not in tested]
    assert not handed, f"demonstrations that carry points (add points=0): {handed}"
    names = {name for name, _ in checks}
    for key, exercise in EXERCISES.items():
        if path.stem == exercise.lab:
            assert any(scored for name, scored in checks if name in exercise.checkpoints), key
            assert set(exercise.checkpoints) <= names, f"{key} names a checkpoint not here"
