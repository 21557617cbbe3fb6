"""Grading: re-execute each learner's notebooks and score what the re-execution measured.

A learner's saved outputs prove nothing (they can be edited, or come from another
machine), so nothing printed is read: every lab notebook is executed again, top to bottom,
and the score comes only from the checkpoints that run wrote to a fresh results file.

**Trust model.** Grading executes the learners' code (notebook cells and Dockerfiles) as
the grading user, with that user's Docker access, which on most machines is equivalent to
root. Treat it as running a colleague's script: fine for a workshop's honest mistakes,
not a defence against a learner who wants to cheat or harm. What is isolated: each learner
runs in a fresh temporary copy made of the kit's own files (helpers, sample app) plus only
the learner's ``labs/`` folder, so their edits to the helpers or the app are ignored and one
learner's files never reach another's; everything their run creates in Docker carries the
label ``slimlab.learner=<name>`` and is removed after the learner, whatever happened
(error, timeout, Ctrl+C); each cell and each learner has a time limit; checkpoints record
but never abort (``SLIMLAB_STRICT=0``), so one failure does not hide the later ones; a
damaged submission becomes a reason row, never a crash. What is not isolated: the code can
read and write whatever the grading user can (including the results file it is scored
from, so a determined learner can forge a score: keep the notebooks they submit for
review), sees the grader's environment variables and network, shares the engine, its build
cache, the kit's base images, the Maven repository and image tags such as
``bookshelf:basic`` (a learner's build replaces the tag; images that exist before grading
may be measured by a notebook that only builds what is missing), and is not limited in CPU,
memory or disk. Learners are graded one after another, never at once. Grade on a machine
(or VM) that holds nothing you would mind a learner reading.

Scoring: a lab's checkpoints are those any learner's run recorded for it; a checkpoint a
learner's run did not record (a removed cell, a cell that never ran) counts as failed with
0 points. Checkpoints recorded before a timeout or a failed build still count. A problem
with the submission itself (no notebook, a notebook that is not JSON, a Dockerfile that does
not build, a cell past its timeout, a learner past their total time) adds a row with
``checkpoint="(submission)"``, 0 points and the reason.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from slimlab import config, edition, engine
from slimlab.checkpoints import (
    FAIL_COLOUR,
    FAIL_MARK,
    KIND_CHECKPOINT,
    PASS_COLOUR,
    CheckpointResult,
)
from slimlab.errors import ConfigError, SlimlabError

SUBMISSION = "(submission)"
CSV_COLUMNS = ("learner", "lab", "checkpoint", "points", "earned", "passed", "measured",
               "expected", "message")
# Errors in a cell's output that say the submission itself is broken (or the machine lacks
# something), as opposed to a wrong answer that a checkpoint already scores.
SUBMISSION_ERRORS = {
    "BuildFailed": "a Dockerfile does not build",
    "BaseImageMissing": "a base image is missing on the grading machine",
    "EngineUnavailable": "the Docker engine could not be reached during the run",
}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A learner or lab name usable in a file name."""
    return SAFE.sub("_", name).strip("._") or "_"


# ---------------------------------------------------------------------------- records


@dataclass
class GradeRow:
    """One line of grades.csv: a checkpoint's outcome, or a reason a lab scored nothing."""

    learner: str
    lab: str
    checkpoint: str
    points: float
    earned: float
    passed: bool
    measured: str = ""
    expected: str = ""
    message: str = ""

    @property
    def is_reason(self) -> bool:
        return self.checkpoint == SUBMISSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LabRun:
    """What re-executing one learner's lab produced (before rows are made)."""

    learner: str
    lab: str
    results: list[CheckpointResult] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class GradeReport:
    """Every row, every problem, and where the files went."""

    out: Path
    learners: list[str] = field(default_factory=list)
    labs: list[str] = field(default_factory=list)
    rows: list[GradeRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, tuple[float, float]]]:
        """(earned, possible) per learner and lab."""
        table: dict[str, dict[str, tuple[float, float]]] = {
            learner: dict.fromkeys(self.labs, (0.0, 0.0)) for learner in self.learners}
        for row in self.rows:
            earned, possible = table.setdefault(row.learner, {}).get(row.lab, (0.0, 0.0))
            table[row.learner][row.lab] = (earned + row.earned, possible + row.points)
        return table

    def summary(self) -> str:
        """The terminal table: learner × lab points, then a total, then the problems."""
        totals = self.totals()
        header = ["learner", *self.labs, "total"]
        body = []
        for learner in self.learners:
            cells = [learner]
            all_e = all_p = 0.0
            for lab in self.labs:
                earned, possible = totals.get(learner, {}).get(lab, (0.0, 0.0))
                all_e, all_p = all_e + earned, all_p + possible
                cells.append(f"{_num(earned)}/{_num(possible)}")
            cells.append(f"{_num(all_e)}/{_num(all_p)}")
            body.append(cells)
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                 for r in [header, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.problems:
            lines.append("")
            lines.append(f"{len(self.problems)} problem(s):")
            lines += [f"  - {p}" for p in self.problems]
        lines.append(f"Grades: {self.out / 'grades.csv'}; report: {self.out / 'report.html'}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "learners": list(self.learners), "labs": list(self.labs),
                "rows": [r.to_dict() for r in self.rows], "problems": list(self.problems),
                "totals": {lr: {lab: {"earned": e, "points": p} for lab, (e, p) in labs.items()}
                           for lr, labs in self.totals().items()}}


def _num(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------------------- finding work


def find_learners(submissions: Path) -> list[tuple[str, Path]]:
    """(name, folder) per learner, by name. A folder that is itself a workbook (it has
    ``labs/``: this machine's own run) is one learner named after the machine."""
    if not submissions.is_dir():
        raise ConfigError(f"The submissions folder {submissions} does not exist.",
                          hint="Pass a folder with one sub-folder per learner.")
    try:
        if (submissions / "labs").is_dir():
            name = socket.gethostname().split(".")[0] or "this-machine"
            return [(name, submissions)]
        entries = sorted(p for p in submissions.iterdir()
                         if p.is_dir() and not p.name.startswith((".", "_")))
    except OSError as exc:
        raise ConfigError(f"The submissions folder {submissions} cannot be read: {exc}",
                          hint="Check its permissions.") from exc
    return [(p.name, p) for p in entries]


def _labs_of(folder: Path) -> set[str]:
    labs_dir = folder / "labs"
    try:
        return {d.name for d in labs_dir.iterdir()
                if d.is_dir() and (d / f"{d.name}.ipynb").exists()}
    except OSError:
        return set()


def _kit_files(root: Path) -> list[str]:
    """The kit's files as they are on disk (tracked and new, not ignored), labs/ aside."""
    import subprocess

    files: list[str] | None = None
    if (root / ".git").exists() and shutil.which("git"):
        try:
            done = subprocess.run(
                ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                 "--exclude-standard"], capture_output=True, check=True, timeout=60)
            files = sorted({p for p in done.stdout.decode("utf-8", "surrogateescape")
                            .split("\0") if p})
        except (subprocess.SubprocessError, OSError):
            files = None
    if files is None:
        files = edition.source_files(root)
    return [f for f in files if not f.startswith("labs/")]


def _workspace(kit_root: Path, kit_files: list[str], learner_dir: Path, dest: Path) -> None:
    """The kit's files plus the learner's labs/, and the kit's own helpers on top."""
    edition.copy_files(kit_root, dest, kit_files)
    package = Path(__file__).resolve().parent
    target = dest / "helpers" / "slimlab"
    if not (target / "__init__.py").exists():
        shutil.copytree(package, target, ignore=shutil.ignore_patterns("__pycache__"))
    labs = learner_dir / "labs"
    if labs.is_dir():
        shutil.copytree(labs, dest / "labs", symlinks=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


# ---------------------------------------------------------------------------- executing


def _text_of(output: Any) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return output.get("text", "")
    if kind == "error":
        return ANSI.sub("", "\n".join(output.get("traceback", []))
                        or f"{output.get('ename')}: {output.get('evalue')}") + "\n"
    data = output.get("data", {})
    return str(data.get("text/plain", "")) + "\n" if data else ""


def _cell_log(number: int, cell: Any, heading: str) -> str:
    outputs = "".join(_text_of(o) for o in cell.get("outputs", []))
    return (f"--- cell {number}: {heading}\n{cell.get('source', '')}\n"
            f"--- output\n{outputs.rstrip()}\n")


def _inspect_cells(nb: Any, run: LabRun, stopped_at: int | None) -> None:
    """Turn error outputs into log entries, and submission-breaking errors into reasons."""
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if index == stopped_at:
            run.log.append(_cell_log(index + 1, cell, "stopped (timeout or dead kernel)"))
            continue
        if not errors:
            continue
        name = errors[0].get("ename", "")
        run.log.append(_cell_log(index + 1, cell, f"error {name}"))
        if name in SUBMISSION_ERRORS:
            first = ANSI.sub("", str(errors[0].get("evalue", ""))).strip().splitlines()
            detail = f": {first[0]}" if first else ""
            run.reasons.append(f"{SUBMISSION_ERRORS[name]} (cell {index + 1}){detail}")


def _execute(nb: Any, folder: Path, env: dict[str, str], cell_timeout: int,
             deadline: float, learner_timeout: int, run: LabRun) -> bool:
    """Run every cell (errors allowed); record why it stopped early. False when the
    learner's total time ran out."""
    from jupyter_client.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    state: dict[str, Any] = {"index": None, "learner_limited": False}

    def timeout_for(cell: Any) -> int:
        remaining = deadline - time.monotonic()
        state["learner_limited"] = remaining < cell_timeout
        return max(1, int(min(cell_timeout, remaining)))

    def on_execute(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        state["index"] = cell_index

    client = NotebookClient(
        nb, kernel_name="python3", timeout=cell_timeout, timeout_func=timeout_for,
        allow_errors=True, startup_timeout=120, on_cell_execute=on_execute,
        resources={"metadata": {"path": str(folder)}})
    km = client.create_kernel_manager()
    within_time = True
    stopped_at: int | None = None
    try:
        client.execute(env=env)
    except CellTimeoutError:
        stopped_at = state["index"]
        cell = (stopped_at or 0) + 1
        if state["learner_limited"]:
            within_time = False
            run.reasons.append(f"the learner went past their total time ({learner_timeout} s) "
                               f"in cell {cell}")
        else:
            run.reasons.append(f"cell {cell} ran past the cell timeout ({cell_timeout} s)")
    except DeadKernelError:
        stopped_at = state["index"]
        run.reasons.append(f"the kernel died in cell {(stopped_at or 0) + 1}")
    except Exception as exc:  # a kernel that will not start, a notebook nbclient refuses
        run.reasons.append(f"the notebook could not be executed: {_first_line(exc)}")
    finally:
        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception as exc:
            run.log.append(f"--- kernel shutdown failed: {exc}\n")
    _inspect_cells(nb, run, stopped_at)
    return within_time and time.monotonic() < deadline


def _first_line(exc: BaseException) -> str:
    lines = ANSI.sub("", str(exc)).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _checkpoints_since(path: Path, offset: int) -> tuple[list[CheckpointResult], int]:
    """Checkpoints appended to the results file after ``offset`` (latest per name)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    latest: dict[str, CheckpointResult] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            if isinstance(record, dict) and record.get("kind") == KIND_CHECKPOINT:
                result = CheckpointResult.from_dict(record)
                latest[result.name] = result
        except (ValueError, TypeError):
            continue  # a damaged line: the checkpoint is then "not recorded"
    return list(latest.values()), offset + len(data)


def _grade_lab(lab: str, work: Path, results: Path, offset: int, env: dict[str, str],
               cell_timeout: int, deadline: float, learner_timeout: int,
               run: LabRun) -> tuple[int, bool]:
    import nbformat

    notebook = work / "labs" / lab / f"{lab}.ipynb"
    if not notebook.is_file():
        run.reasons.append(f"no notebook labs/{lab}/{lab}.ipynb in the submission")
        return offset, True
    try:
        nb = nbformat.read(notebook, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as exc:
        run.reasons.append(f"the notebook cannot be read (damaged or not JSON): "
                           f"{_first_line(exc)}")
        return offset, True
    within = _execute(nb, notebook.parent, env, cell_timeout, deadline, learner_timeout, run)
    run.results, offset = _checkpoints_since(results, offset)
    return offset, within


def _grade_learner(learner: str, folder: Path, labs: list[str], kit_root: Path,
                   kit_files: list[str], out: Path, cell_timeout: int,
                   learner_timeout: int) -> list[LabRun]:
    """Every lab of one learner, in a temporary copy that is removed afterwards."""
    runs: list[LabRun] = []
    deadline = time.monotonic() + learner_timeout
    with tempfile.TemporaryDirectory(prefix=f"slimlab-grade-{safe_name(learner)}-") as tmp:
        work, results = Path(tmp) / "work", Path(tmp) / "results.jsonl"
        try:
            if not (folder / "labs").is_dir():
                raise FileNotFoundError("the submission has no labs/ folder")
            _workspace(kit_root, kit_files, folder, work)
        except OSError as exc:
            reason = f"the submission cannot be copied: {exc.strerror or exc}"
            return [LabRun(learner, lab, reasons=[reason]) for lab in labs]
        env = {**os.environ, "SLIMLAB_LEARNER": learner, "SLIMLAB_RESULTS": str(results),
               "SLIMLAB_STRICT": "0",
               "PYTHONPATH": os.pathsep.join(
                   p for p in (str(work / "helpers"), os.environ.get("PYTHONPATH", "")) if p)}
        offset, within = 0, True
        try:
            for lab in labs:
                run = LabRun(learner, lab)
                runs.append(run)
                if not within:
                    run.reasons.append(f"not run: the learner's total time ({learner_timeout} s)"
                                       " was used up")
                    continue
                started = time.monotonic()
                offset, within = _grade_lab(lab, work, results, offset, env, cell_timeout,
                                            deadline, learner_timeout, run)
                run.seconds = time.monotonic() - started
        finally:
            if results.exists():
                (out / "results").mkdir(parents=True, exist_ok=True)
                shutil.copyfile(results, out / "results" / f"{safe_name(learner)}.jsonl")
    return runs


# ---------------------------------------------------------------------------- rows


def _measured_text(result: CheckpointResult) -> str:
    value = result.measured
    if value is None:
        return ""
    text = json.dumps(value) if isinstance(value, bool | list | dict) else str(value)
    return f"{text} {result.unit}".strip() if result.unit else text


def make_rows(runs: list[LabRun]) -> list[GradeRow]:
    """Rows for every run: its checkpoints, the lab's checkpoints it did not record (0
    points), and its reasons. A lab's checkpoints are the union over all learners."""
    known: dict[str, dict[str, CheckpointResult]] = {}
    for run in runs:
        for result in run.results:
            known.setdefault(run.lab, {}).setdefault(result.name, result)
    rows: list[GradeRow] = []
    for run in runs:
        recorded = {r.name for r in run.results}
        for r in run.results:
            rows.append(GradeRow(run.learner, run.lab, r.name, float(r.points), r.earned,
                                 r.passed, _measured_text(r), r.expected,
                                 "" if r.passed else r.hint))
        missing = "not recorded: " + ("; ".join(run.reasons) if run.reasons else
                                      "the cell that checks it did not run or was removed")
        for name, ref in known.get(run.lab, {}).items():
            if name not in recorded:
                rows.append(GradeRow(run.learner, run.lab, name, float(ref.points), 0.0,
                                     False, "", ref.expected, missing))
        rows += [GradeRow(run.learner, run.lab, SUBMISSION, 0.0, 0.0, False, "", "", reason)
                 for reason in run.reasons]
    return rows


# ---------------------------------------------------------------------------- outputs


def write_csv(rows: list[GradeRow], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        for row in rows:
            data = row.to_dict()
            data["points"], data["earned"] = _num(row.points), _num(row.earned)
            data["passed"] = "true" if row.passed else "false"
            writer.writerow(data)


def write_html(report: GradeReport, path: Path) -> None:
    """One self-contained page: per learner, per-lab totals and what failed, with hints."""
    esc = html.escape
    totals = report.totals()
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Slimlab grades</title><style>",
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}",
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;",
        "padding:.25em .6em;text-align:left}th{background:#f4f4f4}",
        f".fail{{color:{FAIL_COLOUR}}}.pass{{color:{PASS_COLOUR}}}.hint{{opacity:.8}}",
        "</style></head><body><h1>Slimlab grades</h1>",
        "<p>Scores come from re-executing each learner's notebooks on this machine; "
        "saved outputs are not read.</p>",
    ]
    for learner in report.learners:
        rows = [r for r in report.rows if r.learner == learner]
        parts.append(f"<h2 id='{esc(safe_name(learner))}'>{esc(learner)}</h2>")
        parts.append("<table><tr><th>lab</th><th>points</th><th>of</th></tr>")
        all_e = all_p = 0.0
        for lab in report.labs:
            earned, possible = totals.get(learner, {}).get(lab, (0.0, 0.0))
            all_e, all_p = all_e + earned, all_p + possible
            parts.append(f"<tr><td>{esc(lab)}</td><td>{_num(earned)}</td>"
                         f"<td>{_num(possible)}</td></tr>")
        parts.append(f"<tr><th>total</th><th>{_num(all_e)}</th><th>{_num(all_p)}</th></tr>"
                     "</table>")
        failed = [r for r in rows if not r.passed]
        if not failed:
            parts.append("<p class='pass'>Every checkpoint passed.</p>")
            continue
        parts.append("<ul>")
        for r in failed:
            what = ("submission problem" if r.is_reason
                    else f"{esc(r.checkpoint)}: {esc(r.measured or 'nothing measured')} "
                    f"(expected {esc(r.expected)}; 0 of {_num(r.points)})")
            hint = f" <span class='hint'>— {esc(r.message)}</span>" if r.message else ""
            parts.append(f"<li class='fail'>{FAIL_MARK} {esc(r.lab)} · {what}{hint}</li>")
        parts.append("</ul>")
    if report.problems:
        parts.append("<h2>Problems</h2><ul>")
        parts += [f"<li>{esc(p)}</li>" for p in report.problems]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def _write_logs(runs: list[LabRun], out: Path) -> None:
    folder = out / "failures"
    for run in runs:
        failed = [r for r in run.results if not r.passed]
        if not (run.reasons or run.log or failed):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        text = [f"learner {run.learner} · lab {run.lab} · {run.seconds:.0f} s\n"]
        text += [f"REASON: {reason}\n" for reason in run.reasons]
        text += [f"FAILED: {r.summary()}\n" for r in failed]
        text += ["\n", *run.log]
        name = f"{safe_name(run.learner)}-{safe_name(run.lab)}.log"
        (folder / name).write_text("".join(text), encoding="utf-8")


def _write_outputs(report: GradeReport, runs: list[LabRun]) -> None:
    report.rows = make_rows(runs)
    write_csv(report.rows, report.out / "grades.csv")
    write_html(report, report.out / "report.html")
    _write_logs(runs, report.out)


# ---------------------------------------------------------------------------- grading


def remove_learner(learner: str) -> dict[str, int]:
    """Remove every container and image labelled with ``learner``; the kit's own images
    (tagged ``slimlab-kit/…``) stay.

    ``engine.cleanup`` alone is not enough: an image built ``FROM`` a kit image inherits the
    kit's ``slimlab.kit`` label, so ``engine.images`` takes it for a kit image and keeps it.
    With a learner filter only what that learner's run built carries the label, so every
    such image goes except a tagged kit image. Two passes: a request the dying kernel sent
    may land just after the first, and a parent image goes once its child is gone.
    """
    from docker.errors import APIError, NotFound

    from slimlab.kit.bases import KIT_PREFIX

    if not learner:
        raise ValueError("remove_learner needs a learner name (an empty one matches all)")
    def learners_images() -> list:
        return [i for i in engine.images(learner=learner, include_kit=True)
                if not any(tag.startswith(KIT_PREFIX) for tag in i.tags)]

    removed = {"containers": 0, "images": 0}
    for attempt in range(4):
        try:  # listing inspects each item: one that vanishes meanwhile raises NotFound
            counts = engine.cleanup(learner=learner)
            removed["containers"] += counts["containers"]
            removed["images"] += counts["images"]
            for image in learners_images():
                try:
                    engine.client().images.remove(image.id, force=True, noprune=False)
                    removed["images"] += 1
                except APIError as exc:  # a child still uses it: the next pass takes it
                    if isinstance(exc, NotFound) or "conflict" in str(exc).lower():
                        continue
                    raise
            left = engine.containers(learner=learner) + learners_images()
        except NotFound:
            left = [None]
        if not left and attempt >= 1:
            break
        time.sleep(1 + attempt)
    return removed


def _preflight() -> None:
    """Fail before touching any learner when grading cannot work at all."""
    engine.client()  # raises EngineUnavailable with the fix
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel as exc:
        raise ConfigError("There is no python3 Jupyter kernel to execute the notebooks.",
                          hint="Install ipykernel in this environment.") from exc


def grade(submissions: Path, out: Path, *, cell_timeout: int = 1800,
          learner_timeout: int = 3600, labs: list[str] | None = None) -> GradeReport:
    """Re-execute every learner's lab notebooks and write grades.csv, report.html and
    failures/ into ``out``. Raises only when grading cannot run (no engine, unreadable
    submissions); a learner's broken work becomes reason rows."""
    submissions, out = Path(submissions), Path(out)
    learners = find_learners(submissions)
    _preflight()
    chosen = sorted(labs) if labs else sorted(set().union(*(_labs_of(f) for _, f in learners)))
    kit_root = config.repo_root()
    kit_files = _kit_files(kit_root)
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "failures", ignore_errors=True)  # old logs would mislead
    shutil.rmtree(out / "results", ignore_errors=True)
    report = GradeReport(out=out, learners=[name for name, _ in learners], labs=chosen)
    runs: list[LabRun] = []
    for learner, folder in learners:
        print(f"grading {learner} …", file=sys.stderr, flush=True)
        try:
            runs += _grade_learner(learner, folder, chosen, kit_root, kit_files, out,
                                   cell_timeout, learner_timeout)
        except Exception as exc:  # a bug or an engine hiccup: this learner only
            report.problems.append(f"{learner}: grading failed: {_first_line(exc)}")
            done = {r.lab for r in runs if r.learner == learner}
            runs += [LabRun(learner, lab, reasons=[f"not graded: {_first_line(exc)}"])
                     for lab in chosen if lab not in done]
        finally:
            try:
                remove_learner(learner)
            except Exception as exc:
                report.problems.append(f"{learner}: cleanup failed: {_first_line(exc)}")
            _write_outputs(report, runs)
    report.problems[:0] = [f"{r.learner} · {r.lab}: {reason}"
                           for r in runs for reason in r.reasons]
    _write_outputs(report, runs)
    return report


def main(submissions: Path, out: Path, **options: Any) -> int:
    """Grade and print the summary table. Exit status 0 when grading ran (learners may
    have failed), 2 when it could not run at all (no engine, unreadable submissions)."""
    try:
        report = grade(submissions, out, **options)
    except SlimlabError as exc:
        print(f"Grading cannot run: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0
