"""Grading without an engine: scoring, file names, the CSV, the kernel's environment and end,
and what is removed after a learner. Engine calls are replaced; a few tests start a real
(local) Python kernel, which needs no engine."""

from __future__ import annotations

import ast
import contextlib
import csv
import inspect
import os
import signal
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest
from slimlab import config, engine
from slimlab import grade as grade_mod
from slimlab.checkpoints import CheckpointResult

LAB = "01-x"
WORKBOOK_CELLS = [
    "import slimlab as sl\nLAB = \"01-x\"",
    "%matplotlib inline\n!docker ps\nvalue = 3",
    "sl.check(LAB, \"a\", value, at_most=5)",
    "if True:\n    sl.check(LAB, 'b', value, at_most=1, points=2,\n             hint='try again')",
]


def _notebook(cells: list[str], path: Path | None = None) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
    return nb


def _result(name: str, passed: bool, points: float = 1.0, lab: str = LAB) -> CheckpointResult:
    return CheckpointResult(lab=lab, name=name, points=points, expected="≤ 5", measured=3,
                            passed=passed, hint="<b>read the docs</b>")


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """``grade`` with no engine: a workbook whose lab 01-x defines checkpoints a (1 pt) and
    b (2 pts), learners' folders under ``subs``, and every engine call replaced."""
    workbook = tmp_path / "workbook"
    _notebook(WORKBOOK_CELLS, workbook / "labs" / LAB / f"{LAB}.ipynb")
    monkeypatch.setattr(config, "repo_root", lambda: workbook)
    monkeypatch.setattr(grade_mod, "_preflight", lambda: None)
    monkeypatch.setattr(grade_mod, "_kit_files", lambda root: [])
    monkeypatch.setattr(grade_mod, "remove_learner", lambda learner: {})
    monkeypatch.setattr(engine, "object_ids", lambda: (set(), set()))
    subs = tmp_path / "subs"

    def learner(name: str) -> Path:
        folder = subs / name
        _notebook(["print(1)"], folder / "labs" / LAB / f"{LAB}.ipynb")
        return folder

    return SimpleNamespace(workbook=workbook, subs=subs, out=tmp_path / "out", learner=learner)


def _fake_learners(monkeypatch: pytest.MonkeyPatch, results: dict[str, list]) -> None:
    """Each learner's lab run "recorded" the given results (no kernel)."""
    def fake(learner: str, folder: Path, labs: list[str], *args: Any, **kwargs: Any) -> list:
        return [grade_mod.LabRun(learner, lab, results=list(results.get(learner, [])))
                for lab in labs]

    monkeypatch.setattr(grade_mod, "_grade_learner", fake)


# ---------------------------------------------------------------------------- 1. what is scored


def test_workbook_checkpoints_come_from_the_instructors_notebook(tmp_path: Path) -> None:
    _notebook([*WORKBOOK_CELLS,
               "sl.check(LAB, f'made {value}', value, equals=3)",  # not a literal: reported
               "obj.check()",  # some other .check(): ignored
               "sl.check(LAB, 'a', value, at_most=5)"],  # a repeat counts once
              tmp_path / "labs" / LAB / f"{LAB}.ipynb")
    defined, problems = grade_mod.workbook_checkpoints(tmp_path)
    assert [(c.lab, c.name, c.points) for c in defined[LAB]] == [(LAB, "a", 1.0), (LAB, "b", 2.0)]
    assert len(problems) == 1 and "not a literal" in problems[0] and "cell 5" in problems[0]


def test_the_real_workbook_defines_every_labs_checkpoints() -> None:
    defined, problems = grade_mod.workbook_checkpoints(config.repo_root())
    assert not problems
    assert defined and all(defined.values())
    for lab, checks in defined.items():
        assert {c.lab for c in checks} == {lab}


def test_an_invented_checkpoint_counts_for_nobody(
    offline: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ann", "bob"):
        offline.learner(name)
    _fake_learners(monkeypatch, {
        # ann invents a checkpoint (and gives it 50 points)
        "ann": [_result("a", True), _result("b", False, 2), _result("mine", True, 50)],
        # bob raises the points of a real one
        "bob": [_result("a", True, 100), _result("b", True, 2)],
    })
    report = grade_mod.grade(offline.subs, offline.out)
    totals = report.totals()
    assert totals["ann"][LAB] == (1.0, 3.0)
    assert totals["bob"][LAB] == (3.0, 3.0)
    assert not [r for r in report.rows if r.learner == "bob" and r.checkpoint == "mine"]
    ann = [r for r in report.rows if r.learner == "ann" and "mine" in r.message]
    assert ann and all(r.is_reason and r.points == 0 for r in ann)
    assert "ignored" in ann[0].message
    assert any(p.startswith("ann") and "mine" in p and "ignored" in p for p in report.problems)
    assert "ignored" in (offline.out / "report.html").read_text()


def test_a_checkpoint_no_learner_recorded_is_pointed_out(
    offline: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody's run measured it, so this machine does not (no native builder, say): it
    counts for nobody, each row says why, and the grader is told."""
    for name in ("ann", "bob"):
        offline.learner(name)
    _fake_learners(monkeypatch, {"ann": [_result("a", True)], "bob": [_result("a", False)]})
    report = grade_mod.grade(offline.subs, offline.out)
    assert report.totals()["ann"][LAB] == (1.0, 1.0)
    missing = [r for r in report.rows if r.checkpoint == "b"]
    assert [(r.learner, r.earned, r.points, r.expected) for r in missing] == [
        ("ann", 0.0, 0.0, "≤ 1"), ("bob", 0.0, 0.0, "≤ 1")]
    assert all("not measured on this machine" in r.message for r in missing)
    assert [p for p in report.problems if "'b'" in p and "counts for nobody" in p]


def test_a_checkpoint_one_learner_skipped_still_costs_them(
    offline: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded by someone, so measurable here: the learner whose run skipped it loses it."""
    for name in ("ann", "bob"):
        offline.learner(name)
    _fake_learners(monkeypatch, {"ann": [_result("a", True), _result("b", True, 2)],
                                 "bob": [_result("a", True)]})
    report = grade_mod.grade(offline.subs, offline.out)
    assert report.totals()["bob"][LAB] == (1.0, 3.0)
    assert report.totals()["ann"][LAB] == (3.0, 3.0)


def test_rows_reasons_and_escaped_html(tmp_path: Path) -> None:
    defined = {LAB: [grade_mod.Expected(LAB, "a", 1.0), grade_mod.Expected(LAB, "b", 2.0)]}
    runs = [
        grade_mod.LabRun("ann", LAB, results=[_result("a", True), _result("b", False, 2)]),
        grade_mod.LabRun("<script>", LAB, results=[_result("a", True)],
                         reasons=["cell 3 ran past the cell timeout (5 s)"]),
    ]
    rows = grade_mod.make_rows(runs, defined)
    mine = [r for r in rows if r.learner == "<script>"]
    assert [(r.checkpoint, r.earned, r.points) for r in mine] == [
        ("a", 1.0, 1.0), ("b", 0.0, 2.0), (grade_mod.SUBMISSION, 0.0, 0.0)]
    assert mine[1].message.startswith("not recorded: cell 3 ran past")

    report = grade_mod.GradeReport(out=tmp_path, learners=["ann", "<script>"], labs=[LAB],
                                   rows=rows)
    assert report.totals()["ann"][LAB] == (1.0, 3.0)
    grade_mod.write_html(report, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;read the docs&lt;/b&gt;" in page
    grade_mod.write_csv(rows, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)
    lines = report.summary().splitlines()
    assert lines[0].split() == ["learner", LAB, "total"]
    assert lines[2].split() == ["ann", "1/3", "1/3"]


def test_find_learners(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("zoe", "adam", ".hidden"):
        (tmp_path / "subs" / name).mkdir(parents=True)
    (tmp_path / "subs" / "notes.txt").write_text("x")
    assert [n for n, _ in grade_mod.find_learners(tmp_path / "subs")] == ["adam", "zoe"]
    (tmp_path / "repo" / "labs").mkdir(parents=True)
    monkeypatch.setattr(grade_mod.socket, "gethostname", lambda: "bench.example.org")
    assert grade_mod.find_learners(tmp_path / "repo") == [("bench", tmp_path / "repo")]


def test_unreadable_submissions_cannot_run(tmp_path: Path) -> None:
    assert grade_mod.main(tmp_path / "nowhere", tmp_path / "out") == 2
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- 2. the CSV


def test_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    row = grade_mod.GradeRow(
        learner="+ann", lab="-2+3+cmd|' /C calc'!A0", checkpoint='=HYPERLINK("http://evil.example","x")',
        points=2, earned=-1, passed=False, measured="-3", expected="\tx",
        message="@SUM(A1)")
    other = grade_mod.GradeRow(learner="bob", lab=LAB, checkpoint="\r=1+1", points=1,
                               earned=0, passed=True, measured="-3.5 MB", expected="≤ 5")
    grade_mod.write_csv([row, other], tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as handle:
        first, second = list(csv.DictReader(handle))
    assert first["checkpoint"] == '\'=HYPERLINK("http://evil.example","x")'
    assert first["learner"] == "'+ann" and first["lab"] == "'-2+3+cmd|' /C calc'!A0"
    assert first["expected"] == "'\tx" and first["message"] == "'@SUM(A1)"
    assert first["measured"] == "-3" and first["earned"] == "-1" and first["points"] == "2"
    assert second["checkpoint"] == "'\r=1+1" and second["measured"] == "'-3.5 MB"
    assert second["expected"] == "≤ 5" and second["passed"] == "true"


# ---------------------------------------------------------------------------- 3. file names


def test_safe_name_is_injective_and_readable() -> None:
    names = ["a b", "a_b", "a/b", "a\\b", "a:b", "a__b", "é", "e", "_", "", ".", "..",
             "a-b", "a.b", "../etc", "Zoë", "Zoe\u0308"]
    safe = [grade_mod.safe_name(n) for n in names]
    assert len(set(safe)) == len(names), dict(zip(names, safe, strict=True))
    assert grade_mod.safe_name("José") == "José" and grade_mod.safe_name("Zoë") == "Zoë"
    assert grade_mod.safe_name("a_b") == "a_b" and grade_mod.safe_name("ann-2") == "ann-2"
    for name in safe:
        assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    hashed = grade_mod.safe_name("a b")
    assert hashed.startswith("a_b-") and grade_mod.safe_name(hashed) != hashed


def test_learners_whose_names_collide_keep_separate_files(
    offline: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a b", "a_b", "Ann", "ann"):
        offline.learner(name)

    def fake_grade_lab(lab: str, work: Path, results: Path, offset: int, env: dict,
                       *args: Any) -> tuple[int, bool]:
        results.write_text(f'{{"learner": "{env["SLIMLAB_LEARNER"]}"}}\n')
        return offset, True

    monkeypatch.setattr(grade_mod, "_grade_lab", fake_grade_lab)
    report = grade_mod.grade(offline.subs, offline.out)
    files = sorted((offline.out / "results").iterdir())
    assert len(files) == 4
    assert len({f.name.casefold() for f in files}) == 4
    assert sorted(f.read_text() for f in files) == sorted(
        f'{{"learner": "{n}"}}\n' for n in ("a b", "a_b", "Ann", "ann"))
    assert any("Ann" in p and "ann" in p for p in report.problems)


# ---------------------------------------------------------------------------- 4-6. the kernel


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _kernel_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}


def _child_pid(nb: Any) -> int:
    texts = [o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream"]
    return int("".join(texts).split()[0])


@contextlib.contextmanager
def _reaped(pids: list[int]):
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
# A background process the kernel no longer parents (as ``!cmd &`` leaves): ipykernel's own
# shutdown ends only its children, so only ending the process group ends this one.
CHILD = ("import subprocess\n"
         "print(subprocess.run(['sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!'],\n"
         "                     capture_output=True, text=True, check=True).stdout)")


@needs_posix
def test_a_cell_past_its_timeout_prints_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    nb = _notebook(["x = 1", "import time\ntime.sleep(120)", "print('after')"])
    run = grade_mod.LabRun("ann", LAB)
    grade_mod._execute(nb, tmp_path, _kernel_env(), 3, time.monotonic() + 300, 300, run)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ZMQError" not in err and "non-socket" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "ann" in lines[0] and LAB in lines[0] and "cell 2" in lines[0]
    assert any("cell 2 ran past the cell timeout (3 s)" in r for r in run.reasons)


@needs_posix
@pytest.mark.parametrize("last_cell,cell_timeout", [("print('done')", 60),
                                                    ("import time\ntime.sleep(120)", 3)],
                         ids=["finished", "timed-out"])
def test_the_kernels_process_group_ends_with_the_notebook(
    tmp_path: Path, last_cell: str, cell_timeout: int
) -> None:
    nb = _notebook([CHILD, last_cell])
    run = grade_mod.LabRun("ann", LAB)
    grade_mod._execute(nb, tmp_path, _kernel_env(), cell_timeout, time.monotonic() + 300, 300,
                       run)
    pid = _child_pid(nb)
    with _reaped([pid]):
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "a process the learner's kernel started outlived it"


def test_the_kernel_gets_an_allow_listed_environment(
    offline: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline.learner("ann")
    for key, value in {"GRADER_TOKEN": "hunter2", "AWS_SECRET_ACCESS_KEY": "x",
                       "DOCKER_HOST": "unix:///run/x.sock", "SLIMLAB_PROFILE": "kit",
                       "LC_ALL": "C.UTF-8", "PYTHONPATH": "/grader/site",
                       "SLIMLAB_LEARNER": "someone-else", "CI": "true",
                       "SLIMLAB_WORKBOOK": "/grader/checkout"}.items():
        monkeypatch.setenv(key, value)
    seen: dict[str, str] = {}

    def fake_grade_lab(lab: str, work: Path, results: Path, offset: int, env: dict,
                       *args: Any) -> tuple[int, bool]:
        seen.update(env, WORK=str(work), RESULTS=str(results))
        return offset, True

    monkeypatch.setattr(grade_mod, "_grade_lab", fake_grade_lab)
    grade_mod.grade(offline.subs, offline.out)
    work, results = seen.pop("WORK"), seen.pop("RESULTS")
    assert "GRADER_TOKEN" not in seen and "AWS_SECRET_ACCESS_KEY" not in seen
    assert seen["DOCKER_HOST"] == "unix:///run/x.sock" and seen["LC_ALL"] == "C.UTF-8"
    assert seen["SLIMLAB_PROFILE"] == "kit" and seen["CI"] == "true"
    assert seen["SLIMLAB_LEARNER"] == "ann" and seen["SLIMLAB_STRICT"] == "0"
    assert "SLIMLAB_WORKBOOK" not in seen  # the learner's copy, never the grader's files
    assert seen["SLIMLAB_RESULTS"] == results
    assert seen["PYTHONPATH"] == str(Path(work) / "helpers")
    allowed = {"PATH", "HOME", "LANG", "TERM", "DOCKER_HOST", "DOCKER_CONFIG",
               "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "JAVA_HOME", "CI", "TMPDIR",
               "PYTHONPATH"}
    assert all(k in allowed or k.startswith(("LC_", "SLIMLAB_")) for k in seen), sorted(seen)


# ---------------------------------------------------------------------------- 7. cleanup


class FakeEngine:
    """Object ids on a pretend engine; a parent image refuses to go before its child."""

    def __init__(self, containers: set[str], images: set[str]) -> None:
        self.containers, self.images = set(containers), set(images)
        self.removed: list[str] = []

    def object_ids(self) -> tuple[set[str], set[str]]:
        return set(self.containers), set(self.images)

    def remove_container(self, container_id: str) -> bool:
        if container_id not in self.containers:
            return False
        self.containers.discard(container_id)
        self.removed.append(container_id)
        return True

    def remove_image(self, ref: str, force: bool = True) -> bool:
        if ref == "img-parent" and "img-child" in self.images:
            raise RuntimeError("409 Client Error: Conflict (image has dependent child images)")
        if ref not in self.images:
            return False
        self.images.discard(ref)
        self.removed.append(ref)
        return True


def test_what_docker_commands_made_is_removed_by_id(
    offline: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline.learner("ann")
    fake = FakeEngine({"ctr-old"}, {"img-kit", "img-old"})
    for name in ("object_ids", "remove_container", "remove_image"):
        monkeypatch.setattr(engine, name, getattr(fake, name))
    monkeypatch.setattr(engine, "client", lambda: pytest.fail("the Docker SDK was used"))
    monkeypatch.setattr(grade_mod.time, "sleep", lambda seconds: None)

    def docker_commands(learner: str, folder: Path, labs: list[str], *args: Any,
                        **kwargs: Any) -> list:
        fake.containers |= {"ctr-new"}  # !docker run …, unlabelled
        fake.images |= {"img-parent", "img-child"}  # !docker build …, unlabelled
        return [grade_mod.LabRun(learner, lab) for lab in labs]

    monkeypatch.setattr(grade_mod, "_grade_learner", docker_commands)
    report = grade_mod.grade(offline.subs, offline.out)
    assert fake.containers == {"ctr-old"} and fake.images == {"img-kit", "img-old"}
    assert fake.removed == ["ctr-new", "img-child", "img-parent"]
    assert not [p for p in report.problems if "cleanup" in p]


def test_remove_learner_uses_the_engines_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    images = [SimpleNamespace(id="img-mine", tags=["bookshelf:basic"]),
              SimpleNamespace(id="img-kit", tags=["slimlab-kit/os:trixie"])]
    removed: list[str] = []

    def remove_image(ref: str, force: bool = True) -> bool:
        removed.append(ref)
        images[:] = [i for i in images if i.id != ref]
        return True

    monkeypatch.setattr(engine, "client", lambda: pytest.fail("the Docker SDK was used"))
    monkeypatch.setattr(engine, "cleanup", lambda **kw: {"containers": 0, "images": 0})
    monkeypatch.setattr(engine, "containers", lambda **kw: [])
    monkeypatch.setattr(engine, "images", lambda **kw: list(images))
    monkeypatch.setattr(engine, "remove_image", remove_image)
    monkeypatch.setattr(grade_mod.time, "sleep", lambda seconds: None)
    assert grade_mod.remove_learner("ann")["images"] == 1
    assert removed == ["img-mine"]


def test_grade_imports_no_docker_sdk() -> None:
    source = Path(inspect.getfile(grade_mod)).read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "docker" for a in node.names)
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "docker"
    assert "client()." not in source


# ---------------------------------------------------------------------------- 8. defaults


def test_one_default_learner_time_limit() -> None:
    from slimlab import cli

    limit = grade_mod.LEARNER_TIMEOUT
    assert inspect.signature(grade_mod.grade).parameters["learner_timeout"].default == limit
    option = inspect.signature(cli.grade).parameters["learner_timeout"].default
    assert option.default == limit
