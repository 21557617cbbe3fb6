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
learner's files never reach another's; the kernel gets an allow-listed environment (the
engine's, the locale's and Slimlab's variables, not the grader's tokens); everything their
run creates in Docker carries the label ``slimlab.learner=<name>`` and is removed after the
learner, whatever happened (error, timeout, Ctrl+C), and so is every container and image
that appeared on the engine meanwhile (``!docker run``, ``!docker build``: unlabelled), so
grade on an engine nobody else uses at the same time, with the kit already built and any
upstream base image already pulled (one made or pulled during a learner's run goes too); the
kernel's whole process group is killed when its notebook ends, so a background process
it started does not outlive it; each cell and each learner has a time limit; checkpoints
record but never abort (``SLIMLAB_STRICT=0``), so one failure does not hide the later ones;
a damaged submission becomes a reason row, never a crash. What is not isolated: the code
can read and write whatever the grading user can (including the results file it is scored
from, so a determined learner can forge a score: keep the notebooks they submit for
review), reach the network, share the engine, its build cache, the kit's base images, the
Maven repository and image tags such as ``bookshelf:basic`` (a learner's build replaces the
tag; images that exist before grading may be measured by a notebook that only builds what
is missing), start a process in a session of its own, and is not limited in CPU, memory or
disk. Learners are graded one after another, never at once. Grade on a machine (or VM)
that holds nothing you would mind a learner reading.

Scoring: a lab's checkpoints, and their points, are those the workbook's own notebook
``labs/<lab>/<lab>.ipynb`` defines (its ``sl.check(lab, name, …, points=…)`` calls, read
without running it), never what a learner's run recorded, so a learner cannot change what
everyone is scored on; a checkpoint a learner's run recorded that the workbook does not
define counts for nobody and is reported as ignored. A checkpoint a learner's run did not
record (a removed cell, a cell that never ran) counts as failed with 0 points. Checkpoints
recorded before a timeout or a failed build still count. The comparison itself still runs
in the learner's notebook: one who loosens a bound in their copy passes it (the
``expected`` column shows the bound their run used). A problem with the submission
itself (no notebook, a notebook that is not JSON, a Dockerfile that does not build, a cell
past its timeout, a learner past their total time, an ignored checkpoint) adds a row with
``checkpoint="(submission)"``, 0 points and the reason.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import html
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
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
from slimlab.hints import KIND_HINT, SOLUTION_LEVEL

# One default each, for grade() and the CLI alike.
CELL_TIMEOUT = 1800
LEARNER_TIMEOUT = 5400

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

# The learner's kernel sees these of the grader's variables, and nothing else: what the
# engine, the locale, Java and Slimlab's own settings need, not the grader's tokens.
KERNEL_ENV = ("PATH", "HOME", "LANG", "TERM", "DOCKER_HOST", "DOCKER_CONFIG",
              "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "JAVA_HOME", "CI", "TMPDIR")
KERNEL_ENV_PREFIXES = ("LC_", "SLIMLAB_")

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")

NAME_KEEP = "-_."
NAME_MAX = 80
HASH_LEN = 10
HASHED = re.compile(rf"-[0-9a-f]{{{HASH_LEN}}}\Z")


def safe_name(name: str) -> str:
    """A learner or lab name usable as a file name, readable and injective.

    Letters and digits (any script) and ``-_.`` stay, so ``Zoë`` stays ``Zoë``. A name that
    has to change (``a b``, ``a/b``, ``..``, too long) gets a hash of the original, so two
    names never share a file: ``a b`` -> ``a_b-<hash>``, which differs from ``a_b``. A name
    that already ends like a hash is hashed too, so no unchanged name can look like one.
    """
    kept = "".join(c if c.isalnum() or c in NAME_KEEP else "_" for c in name)
    kept = kept.strip("._")[:NAME_MAX]
    if name and kept == name and not HASHED.search(name):
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LEN]
    return f"{kept or '_'}-{digest}"


def learner_stems(names: list[str]) -> tuple[dict[str, str], list[str]]:
    """A distinct file-name stem per learner, and a note for each that had to move.

    ``safe_name`` keeps ``Ann`` and ``ann`` apart, but a case-insensitive disk (macOS,
    Windows) would not: the second of two stems equal but for case gets ``-2`` (``-3``…),
    never a stem another learner has.
    """
    natural = {name: safe_name(name) for name in names}
    taken = {stem.casefold() for stem in natural.values()}
    owner: dict[str, str] = {}
    stems: dict[str, str] = {}
    notes: list[str] = []
    for name in names:
        stem = natural[name]
        first = owner.get(stem.casefold())
        if first is not None:
            number = 2
            while f"{stem}-{number}".casefold() in taken:
                number += 1
            moved = f"{stem}-{number}"
            taken.add(moved.casefold())
            notes.append(f"learners {first!r} and {name!r} would share the file name "
                         f"{stem!r} (on a case-insensitive disk); {name!r}'s files are "
                         f"named {moved!r}")
            stem = moved
        owner[stem.casefold()] = name
        stems[name] = stem
    return stems, notes


def csv_safe(value: str) -> str:
    """The cell as text a spreadsheet will not run: a leading ``'`` before ``=``, ``+``,
    ``-``, ``@``, tab or CR (OWASP's advice); a plain number stays a number."""
    if value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Expected:
    """A checkpoint the workbook's own notebook defines: what every learner is scored on."""

    lab: str
    name: str
    points: float = 1.0
    expected: str = ""


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
    revealed: list[str] = field(default_factory=list)  # exercises shown by sl.reveal


@dataclass
class GradeReport:
    """Every row, every problem, and where the files went."""

    out: Path
    learners: list[str] = field(default_factory=list)
    labs: list[str] = field(default_factory=list)
    rows: list[GradeRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checkpoints: dict[str, list[Expected]] = field(default_factory=dict)
    stems: dict[str, str] = field(default_factory=dict)

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


# ---------------------------------------------------------------------------- the workbook


def _python_of(source: str) -> str:
    """A cell as plain Python: IPython syntax (``!docker …``, ``%time``) does not parse."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # no IPython, or syntax it cannot turn into Python: drop magic lines
        return "\n".join("" if line.lstrip().startswith(("!", "%")) else line
                         for line in source.splitlines())


def _text(node: ast.AST, names: Mapping[str, object]) -> str | None:
    """A string the code spells out: a literal, a name bound to one (``LAB``), a ``+`` or
    an f-string of those. None when it depends on what the notebook computes."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        value = names.get(node.id)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, names), _text(node.right, names)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.conversion != -1 or part.format_spec is not None:
                    return None
                part = part.value
            text = _text(part, names)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    return None


def _literal(node: ast.AST, names: Mapping[str, object]) -> object:
    """A literal value (numbers, tuples, booleans, strings as in ``_text``), else None."""
    text = _text(node, names)
    if text is not None:
        return text
    if isinstance(node, ast.Name):
        return names.get(node.id)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _expected_text(call: ast.Call, names: Mapping[str, object]) -> str:
    """The "expected" text a checkpoint shows, when its comparator is a literal."""
    from slimlab.checkpoints import _compare

    given = {k.arg: _literal(k.value, names) for k in call.keywords if k.arg}
    if isinstance(given.get("expected_text"), str):
        return str(given["expected_text"])
    # literals of any type: _compare checks each, and a wrong one means no expected text
    rule: dict[str, Any] = {
        k: given.get(k) for k in ("at_most", "at_least", "between", "equals", "expect")}
    unit = given.get("unit", "")
    try:
        return _compare(None, unit=unit if isinstance(unit, str) else "", **rule)[1]
    except Exception:  # a comparator computed at run time: the run's record says it
        return ""


class _CheckFinder(ast.NodeVisitor):
    """The ``….check(lab, name, …)`` calls of one notebook, in order."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.names: dict[str, object] = {}
        self.found: list[Expected] = []
        self.problems: list[str] = []
        self.cell = 0

    def _bind(self, targets: list[ast.expr], value: ast.AST | None) -> None:
        literal = None if value is None else _literal(value, self.names)
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    if isinstance(target, ast.Name) and literal is not None:
                        self.names[node.id] = literal
                    else:
                        self.names.pop(node.id, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        self._bind(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        self._bind([node.target], node.value)

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if not ((isinstance(func, ast.Attribute) and func.attr == "check")
                or (isinstance(func, ast.Name) and func.id == "check")):
            return
        given = {k.arg: k.value for k in node.keywords if k.arg}
        lab_node = node.args[0] if node.args else given.get("lab")
        name_node = node.args[1] if len(node.args) > 1 else given.get("name")
        if lab_node is None or name_node is None:
            return  # some other .check(): not a checkpoint
        where = f"{self.where} cell {self.cell} line {node.lineno}"
        lab, name = _text(lab_node, self.names), _text(name_node, self.names)
        if lab is None or name is None:
            self.problems.append(f"{where}: a checkpoint whose lab or name is not a literal "
                                 "string; nobody is scored on it")
            return
        points = 1.0
        if "points" in given:
            value = _literal(given["points"], self.names)
            if isinstance(value, int | float) and not isinstance(value, bool):
                points = float(value)
            else:
                self.problems.append(f"{where}: the points of {name!r} are not a literal "
                                     "number; it counts 1 point")
        self.found.append(Expected(lab, name, points, _expected_text(node, self.names)))


def workbook_checkpoints(root: Path) -> tuple[dict[str, list[Expected]], list[str]]:
    """Each lab's checkpoints as the workbook's own notebooks define them, and what could
    not be read.

    The calls are found without running anything: each code cell is parsed, and every
    ``….check(lab, name, …)`` whose lab and name are literal strings (or names bound to
    one, such as ``LAB``) is a checkpoint worth its literal ``points=`` (1 by default,
    as ``sl.check`` itself). A name checked twice counts once.
    """
    import nbformat

    labs_dir = Path(root) / "labs"
    try:
        folders = sorted(d for d in labs_dir.iterdir()
                         if d.is_dir() and not d.name.startswith((".", "_"))
                         and (d / f"{d.name}.ipynb").is_file())
    except OSError as exc:
        raise ConfigError(f"The workbook's labs cannot be read from {labs_dir}: {exc}",
                          hint="Grade from a checkout of the workbook.") from exc
    if not folders:
        raise ConfigError(f"The workbook {root} has no labs/<lab>/<lab>.ipynb.",
                          hint="Grade from a checkout of the workbook.")
    defined: dict[str, list[Expected]] = {}
    problems: list[str] = []
    for folder in folders:
        lab, where = folder.name, f"labs/{folder.name}/{folder.name}.ipynb"
        try:
            nb = nbformat.read(folder / f"{lab}.ipynb", as_version=4)
        except Exception as exc:
            raise ConfigError(f"The workbook's notebook {where} cannot be read: "
                              f"{_first_line(exc)}", hint="Restore it from git.") from exc
        finder = _CheckFinder(where)
        for index, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") != "code":
                continue
            finder.cell = index + 1
            try:
                tree = ast.parse(_python_of(str(cell.get("source", ""))))
            except SyntaxError as exc:
                problems.append(f"{where} cell {index + 1} does not parse ({exc.msg}); "
                                "its checkpoints are not known")
                continue
            finder.visit(tree)
        seen: dict[tuple[str, str], Expected] = {}
        for found in finder.found:
            first = seen.setdefault((found.lab, found.name), found)
            if first.points != found.points:
                problems.append(f"{where}: {found.name!r} is checked with {_num(first.points)} "
                                f"and {_num(found.points)} points; it counts "
                                f"{_num(first.points)}")
        defined[lab] = list(seen.values())
        problems += finder.problems
    return defined, problems


def _match(run: LabRun, expected: list[Expected]
           ) -> tuple[dict[tuple[str, str], CheckpointResult], list[CheckpointResult]]:
    """The run's results for the lab's own checkpoints (at the workbook's points, whatever
    the run recorded), and those the learner's notebook invented."""
    wanted = {(e.lab, e.name): e for e in expected}
    matched: dict[tuple[str, str], CheckpointResult] = {}
    ignored: list[CheckpointResult] = []
    for result in run.results:
        known = wanted.get((result.lab, result.name))
        if known is None:
            ignored.append(result)
        else:
            matched[(result.lab, result.name)] = replace(result, points=known.points)
    return matched, ignored


def _ignored_notes(run: LabRun, expected: list[Expected]) -> list[str]:
    notes = []
    for result in _match(run, expected)[1]:
        what = result.name if result.lab == run.lab else f"{result.lab} · {result.name}"
        notes.append(f"checkpoint {what!r} ignored: the workbook's notebook does not "
                     "define it, so it counts for nobody")
    return notes


NOT_MEASURED = ("not measured on this machine: no learner's run recorded it, so it counts "
                "for nobody")


def _recorded(runs: list[LabRun], checkpoints: Mapping[str, list[Expected]]
              ) -> set[tuple[str, tuple[str, str]]]:
    """(lab, (lab, name)) of every workbook checkpoint at least one run recorded."""
    return {(run.lab, key) for run in runs
            for key in _match(run, list(checkpoints.get(run.lab, [])))[0]}


def _unrecorded_notes(runs: list[LabRun], checkpoints: Mapping[str, list[Expected]]
                      ) -> list[str]:
    """Checkpoints no learner's run recorded: this machine does not measure them (no
    native builder, say), so they are left out of every total, and said so."""
    recorded = _recorded(runs, checkpoints)
    graded = {run.lab for run in runs}
    return [f"{lab}: no learner's run recorded checkpoint {known.name!r} (does this "
            "machine measure it?); it counts for nobody"
            for lab, expected in checkpoints.items() if lab in graded
            for known in expected if (lab, (known.lab, known.name)) not in recorded]


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


def _kit_files(root: Path) -> list[str]:
    """The kit's files as they are on disk (tracked and new, not ignored), labs/ aside."""
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


def kernel_env(learner: str, results: Path, helpers: Path,
               environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a learner's kernel: the allow-listed part of the grader's (the
    engine's, the locale's, Java's and Slimlab's variables), never its tokens or keys,
    plus what grading sets. ``PYTHONPATH`` is only the copy's helpers, so the notebook
    imports the kit's own ``slimlab``."""
    source = os.environ if environ is None else environ
    env = {key: value for key, value in source.items()
           if key in KERNEL_ENV or key.startswith(KERNEL_ENV_PREFIXES)}
    env.update(SLIMLAB_LEARNER=learner, SLIMLAB_RESULTS=str(results), SLIMLAB_STRICT="0",
               PYTHONPATH=str(helpers))
    env.pop("SLIMLAB_WORKBOOK", None)  # the learner's copy is found from the kernel's folder
    return env


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


def _quiet_log() -> logging.Logger:
    """nbclient and jupyter_client log a timeout or a killed kernel as errors; the grader
    prints its own line instead."""
    log = logging.getLogger("slimlab.grade.kernel")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


def _say(run: LabRun, what: str) -> None:
    """One line on the grader's terminal about this learner's lab."""
    print(f"  {run.learner} · {run.lab}: {what}", file=sys.stderr, flush=True)


def _kernel_group(km: Any) -> int | None:
    pgid = getattr(getattr(km, "provisioner", None), "pgid", None)
    return pgid if isinstance(pgid, int) else None


def _kill_group(pgid: int | None) -> None:
    """SIGKILL a kernel's process group (jupyter_client starts each kernel in a session of
    its own), so what a cell left running in the background ends with it. Never our own."""
    if not pgid or pgid <= 1 or not hasattr(os, "killpg") or pgid == os.getpgrp():
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _end_kernel(client: Any, km: Any, pgid: int | None, run: LabRun) -> None:
    """Kill the kernel's whole group first (a graceful shutdown would leave an orphaned
    background process alive, and a kernel interrupted mid-reply prints a ZeroMQ traceback),
    then let jupyter_client tidy up its files and sockets."""
    from jupyter_client.utils import run_sync

    _kill_group(pgid if pgid is not None else _kernel_group(km))
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:
        run.log.append(f"--- kernel shutdown failed: {_first_line(exc)}\n")
    finally:
        if client.kc is not None:
            with contextlib.suppress(Exception):
                client.kc.stop_channels()
            client.kc = None


def _kernel_output(handle: Any, lines: int = 40) -> str:
    handle.flush()
    handle.seek(0)
    text = handle.read().decode("utf-8", "replace").rstrip()
    if not text:
        return ""
    tail = "\n".join(ANSI.sub("", text).splitlines()[-lines:])
    return f"--- kernel process output (last {lines} lines)\n{tail}\n"


def _execute(nb: Any, folder: Path, env: dict[str, str], cell_timeout: int,
             deadline: float, learner_timeout: int, run: LabRun) -> bool:
    """Run every cell (errors allowed); record why it stopped early. False when the
    learner's total time ran out.

    The kernel's own stdout and stderr go to a file, not the grader's terminal (a kernel
    killed mid-reply prints ZeroMQ tracebacks; ``os.system`` output lands there too);
    they reach the learner's log only when the kernel died or would not start.
    """
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    log = _quiet_log()
    state: dict[str, Any] = {"index": None, "learner_limited": False, "pgid": None}
    km = AsyncKernelManager(kernel_name="python3", log=log)

    def timeout_for(cell: Any) -> int:
        remaining = deadline - time.monotonic()
        state["learner_limited"] = remaining < cell_timeout
        return max(1, int(min(cell_timeout, remaining)))

    def on_start(**_: Any) -> None:
        state["pgid"] = _kernel_group(km)

    def on_execute(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        state["index"] = cell_index

    # km given: nbclient leaves the kernel to us, so its group is killed before anything
    # asks the kernel to shut down.
    client = NotebookClient(
        nb, km=km, kernel_name="python3", timeout=cell_timeout, timeout_func=timeout_for,
        allow_errors=True, startup_timeout=120, on_notebook_start=on_start,
        on_cell_execute=on_execute, log=log, resources={"metadata": {"path": str(folder)}})
    within_time = True
    stopped_at: int | None = None
    show_output = False
    with tempfile.TemporaryFile() as output:
        try:
            client.execute(env=env, stdout=output, stderr=subprocess.STDOUT)
        except CellTimeoutError:
            stopped_at = state["index"]
            index = stopped_at or 0
            where = f"cell {index + 1} (index {index})"
            if state["learner_limited"]:
                within_time = False
                run.reasons.append(f"the learner went past their total time "
                                   f"({learner_timeout} s) in cell {index + 1}")
                _say(run, f"{where} ran past the learner's total time ({learner_timeout} s); "
                          "stopped")
            else:
                run.reasons.append(f"cell {index + 1} ran past the cell timeout "
                                   f"({cell_timeout} s)")
                _say(run, f"{where} ran past the cell timeout ({cell_timeout} s); stopped")
        except DeadKernelError:
            stopped_at = state["index"]
            index = stopped_at or 0
            run.reasons.append(f"the kernel died in cell {index + 1}")
            _say(run, f"the kernel died in cell {index + 1} (index {index})")
            show_output = True
        except Exception as exc:  # a kernel that will not start, a notebook nbclient refuses
            run.reasons.append(f"the notebook could not be executed: {_first_line(exc)}")
            _say(run, f"the notebook could not be executed: {_first_line(exc)}")
            show_output = True
        finally:
            _end_kernel(client, km, state["pgid"], run)
        if show_output:
            run.log.append(_kernel_output(output))
    _inspect_cells(nb, run, stopped_at)
    return within_time and time.monotonic() < deadline


def _first_line(exc: BaseException) -> str:
    lines = ANSI.sub("", str(exc)).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _checkpoints_since(path: Path, offset: int
                       ) -> tuple[list[CheckpointResult], list[str], int]:
    """Checkpoints appended to the results file after ``offset`` (latest per lab and name),
    and the exercises whose solution was revealed (``sl.reveal``) in that stretch."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], [], offset
    latest: dict[tuple[str, str], CheckpointResult] = {}
    revealed: list[str] = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                continue
            if record.get("kind") == KIND_CHECKPOINT:
                result = CheckpointResult.from_dict(record)
                latest[(result.lab, result.name)] = result
            elif (record.get("kind") == KIND_HINT and record.get("level") == SOLUTION_LEVEL
                  and str(record.get("exercise")) not in revealed):
                revealed.append(str(record.get("exercise")))
        except (ValueError, TypeError):
            continue  # a damaged line: the checkpoint is then "not recorded"
    return list(latest.values()), revealed, offset + len(data)


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
    run.results, run.revealed, offset = _checkpoints_since(results, offset)
    return offset, within


def _grade_learner(learner: str, folder: Path, labs: list[str], kit_root: Path,
                   kit_files: list[str], out: Path, cell_timeout: int,
                   learner_timeout: int, stem: str | None = None) -> list[LabRun]:
    """Every lab of one learner, in a temporary copy that is removed afterwards."""
    stem = stem or safe_name(learner)
    runs: list[LabRun] = []
    deadline = time.monotonic() + learner_timeout
    with tempfile.TemporaryDirectory(prefix=f"slimlab-grade-{stem}-") as tmp:
        work, results = Path(tmp) / "work", Path(tmp) / "results.jsonl"
        try:
            if not (folder / "labs").is_dir():
                raise FileNotFoundError("the submission has no labs/ folder")
            _workspace(kit_root, kit_files, folder, work)
        except OSError as exc:
            reason = f"the submission cannot be copied: {exc.strerror or exc}"
            return [LabRun(learner, lab, reasons=[reason]) for lab in labs]
        env = kernel_env(learner, results, work / "helpers")
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
                shutil.copyfile(results, out / "results" / f"{stem}.jsonl")
    return runs


# ---------------------------------------------------------------------------- rows


def _measured_text(result: CheckpointResult) -> str:
    value = result.measured
    if value is None:
        return ""
    text = json.dumps(value) if isinstance(value, bool | list | dict) else str(value)
    return f"{text} {result.unit}".strip() if result.unit else text


def make_rows(runs: list[LabRun], checkpoints: Mapping[str, list[Expected]]) -> list[GradeRow]:
    """Rows for every run: one per checkpoint the workbook defines for the lab (0 points
    when the run did not record it), then its reasons, then what it recorded that the
    workbook does not define (ignored: 0 points, for nobody else either)."""
    rows: list[GradeRow] = []
    anyone = _recorded(runs, checkpoints)
    for run in runs:
        expected = list(checkpoints.get(run.lab, []))
        matched, _ = _match(run, expected)
        missing = "not recorded: " + ("; ".join(run.reasons) if run.reasons else
                                      "the cell that checks it did not run or was removed")
        for known in expected:
            r = matched.get((known.lab, known.name))
            if r is None and (run.lab, (known.lab, known.name)) not in anyone:
                # nobody's run measured it: this machine cannot (no native builder, say)
                rows.append(GradeRow(run.learner, run.lab, known.name, 0.0, 0.0, False, "",
                                     known.expected, NOT_MEASURED))
            elif r is None:
                rows.append(GradeRow(run.learner, run.lab, known.name, known.points, 0.0,
                                     False, "", known.expected, missing))
            else:
                rows.append(GradeRow(run.learner, run.lab, known.name, known.points,
                                     r.earned, r.passed, _measured_text(r), r.expected,
                                     "" if r.passed else r.hint))
        rows += [GradeRow(run.learner, run.lab, SUBMISSION, 0.0, 0.0, False, "", "", note)
                 for note in [*run.reasons, *_ignored_notes(run, expected),
                              *(f"solution revealed after an attempt: {key} (sl.reveal)"
                                for key in run.revealed)]]
    return rows


# ---------------------------------------------------------------------------- outputs


def write_csv(rows: list[GradeRow], path: Path) -> None:
    """grades.csv, every cell safe to open in a spreadsheet (names come from learners)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        for row in rows:
            data = row.to_dict()
            data["points"], data["earned"] = _num(row.points), _num(row.earned)
            data["passed"] = "true" if row.passed else "false"
            writer.writerow({key: csv_safe(str(value)) for key, value in data.items()})


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
        anchor = report.stems.get(learner) or safe_name(learner)
        parts.append(f"<h2 id='{esc(anchor)}'>{esc(learner)}</h2>")
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


def _write_logs(runs: list[LabRun], out: Path, checkpoints: Mapping[str, list[Expected]],
                stems: Mapping[str, str]) -> None:
    """failures/<learner>/<lab>.log: a folder per learner, so no two names can meet."""
    for run in runs:
        expected = list(checkpoints.get(run.lab, []))
        matched, _ = _match(run, expected)
        failed = [r for r in matched.values() if not r.passed]
        ignored = _ignored_notes(run, expected)
        if not (run.reasons or run.log or failed or ignored):
            continue
        folder = out / "failures" / (stems.get(run.learner) or safe_name(run.learner))
        folder.mkdir(parents=True, exist_ok=True)
        text = [f"learner {run.learner} · lab {run.lab} · {run.seconds:.0f} s\n"]
        text += [f"REASON: {reason}\n" for reason in run.reasons]
        text += [f"IGNORED: {note}\n" for note in ignored]
        text += [f"FAILED: {r.summary()}\n" for r in failed]
        text += ["\n", *run.log]
        (folder / f"{safe_name(run.lab)}.log").write_text("".join(text), encoding="utf-8")


def _write_outputs(report: GradeReport, runs: list[LabRun]) -> None:
    report.rows = make_rows(runs, report.checkpoints)
    write_csv(report.rows, report.out / "grades.csv")
    write_html(report, report.out / "report.html")
    _write_logs(runs, report.out, report.checkpoints, report.stems)


# ---------------------------------------------------------------------------- grading


def remove_learner(learner: str) -> dict[str, int]:
    """Remove every container and image labelled with ``learner``; the kit's own images
    (tagged ``slimlab-kit/…``) stay.

    ``engine.cleanup`` alone is not enough: an image built ``FROM`` a kit image inherits the
    kit's ``slimlab.kit`` label, so ``engine.images`` takes it for a kit image and keeps it.
    With a learner filter only what that learner's run built carries the label, so every
    such image goes except a tagged kit image. Two passes at least: a request the dying
    kernel sent may land just after the first, and a parent image goes once its child is
    gone (until then the engine refuses with a conflict, which the next pass retries).
    """
    if not learner:
        raise ValueError("remove_learner needs a learner name (an empty one matches all)")

    def learners_images() -> list:
        return [i for i in engine.images(learner=learner, include_kit=True)
                if not engine.is_kit(i)]

    removed = {"containers": 0, "images": 0}
    failure: Exception | None = None
    for attempt in range(4):
        try:
            counts = engine.cleanup(learner=learner)
            removed["containers"] += counts.get("containers", 0)
            removed["images"] += counts.get("images", 0)
            failure = None
            for image in learners_images():
                try:
                    removed["images"] += int(engine.remove_image(image.id))
                except Exception as exc:  # a child still uses it: the next pass takes it
                    failure = exc
            left = engine.containers(learner=learner) + learners_images()
        except Exception as exc:  # an object that vanished meanwhile, a busy engine
            left, failure = [None], exc
        if not left and attempt >= 1:
            return removed
        time.sleep(1 + attempt)
    if failure is not None:
        raise failure
    return removed


def remove_new_objects(before: tuple[set[str], set[str]], passes: int = 4
                       ) -> tuple[dict[str, int], list[str]]:
    """Remove every container and image that appeared since ``before`` (``engine.object_ids``
    taken before the learner): what ``!docker run`` or ``!docker build`` made carries no
    label. Whatever was there before (the kit's images among it) stays. Returns how many
    went and, for what would not go, its id and why.
    """
    old_containers, old_images = before
    removed = {"containers": 0, "images": 0}
    errors: dict[str, str] = {}
    for attempt in range(passes):
        containers, images = engine.object_ids()
        new_containers = sorted(containers - old_containers)
        new_images = sorted(images - old_images)
        if not new_containers and not new_images:
            return removed, []
        if attempt:
            time.sleep(attempt)
        errors.clear()
        for container_id in new_containers:
            try:
                removed["containers"] += int(engine.remove_container(container_id))
            except Exception as exc:
                errors[container_id] = _first_line(exc)
        for image_id in new_images:  # a parent refuses while its child exists: next pass
            try:
                removed["images"] += int(engine.remove_image(image_id))
            except Exception as exc:
                errors[image_id] = _first_line(exc)
    containers, images = engine.object_ids()
    left = sorted(containers - old_containers) + sorted(images - old_images)
    return removed, [f"{i[:19]} ({errors.get(i, 'still there')})" for i in left]


def _clean_up_after(learner: str, before: tuple[set[str], set[str]] | None,
                    report: GradeReport) -> None:
    """What the learner's run left on the engine goes: labelled objects, then anything new."""
    try:
        remove_learner(learner)
    except Exception as exc:
        report.problems.append(f"{learner}: cleanup failed: {_first_line(exc)}")
    if before is None:
        return
    try:
        _, left = remove_new_objects(before)
    except Exception as exc:
        report.problems.append(f"{learner}: cleanup of unlabelled objects failed: "
                               f"{_first_line(exc)}")
        return
    if left:
        report.problems.append(f"{learner}: cleanup left {len(left)} object(s) the run made: "
                               + ", ".join(left))


def _preflight() -> None:
    """Fail before touching any learner when grading cannot work at all."""
    engine.client()  # raises EngineUnavailable with the fix
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel as exc:
        raise ConfigError("There is no python3 Jupyter kernel to execute the notebooks.",
                          hint="Install ipykernel in this environment.") from exc


def grade(submissions: Path, out: Path, *, cell_timeout: int = CELL_TIMEOUT,
          learner_timeout: int = LEARNER_TIMEOUT, labs: list[str] | None = None,
          workbook: Path | None = None) -> GradeReport:
    """Re-execute every learner's lab notebooks and write grades.csv, report.html and
    failures/ into ``out``. Raises only when grading cannot run (no engine, unreadable
    submissions or workbook); a learner's broken work becomes reason rows.

    ``workbook`` (default: this checkout) holds the instructor's notebooks, which say
    which labs there are and what each is scored on.
    """
    submissions, out = Path(submissions), Path(out)
    learners = find_learners(submissions)
    kit_root = config.repo_root()
    defined, notes = workbook_checkpoints(Path(workbook) if workbook is not None else kit_root)
    unknown = sorted(set(labs or ()) - defined.keys())
    if unknown:
        raise ConfigError(f"The workbook has no lab {', '.join(unknown)}.",
                          hint=f"Choose among {', '.join(defined)}.")
    _preflight()
    chosen = sorted(labs) if labs else sorted(defined)
    kit_files = _kit_files(kit_root)
    names = [name for name, _ in learners]
    stems, clashes = learner_stems(names)
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "failures", ignore_errors=True)  # old logs would mislead
    shutil.rmtree(out / "results", ignore_errors=True)
    report = GradeReport(out=out, learners=names, labs=chosen, stems=stems,
                         checkpoints={lab: defined[lab] for lab in chosen},
                         problems=[*notes, *clashes])
    runs: list[LabRun] = []
    for learner, folder in learners:
        print(f"grading {learner} …", file=sys.stderr, flush=True)
        before: tuple[set[str], set[str]] | None = None
        try:
            before = engine.object_ids()
            runs += _grade_learner(learner, folder, chosen, kit_root, kit_files, out,
                                   cell_timeout, learner_timeout, stems[learner])
        except Exception as exc:  # a bug or an engine hiccup: this learner only
            report.problems.append(f"{learner}: grading failed: {_first_line(exc)}")
            done = {r.lab for r in runs if r.learner == learner}
            runs += [LabRun(learner, lab, reasons=[f"not graded: {_first_line(exc)}"])
                     for lab in chosen if lab not in done]
        finally:
            _clean_up_after(learner, before, report)
            _write_outputs(report, runs)
    report.problems[:0] = [f"{r.learner} · {r.lab}: {note}" for r in runs
                           for note in [*r.reasons,
                                        *_ignored_notes(r, report.checkpoints.get(r.lab, []))]]
    report.problems += _unrecorded_notes(runs, report.checkpoints)
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
