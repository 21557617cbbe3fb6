"""The attendee edition: the workbook with every exercise's solution replaced by its prompt.

The committed notebooks and Dockerfiles are the instructor edition: each exercise's solution
is active, so CI proves it works. ``write`` copies what a learner needs (the repository's
tracked files, or a plain copy without ``.venv``/``.git``/build outputs) and rewrites every
notebook code cell and every ``labs/**/Dockerfile*``, region by region::

    # BEGIN SOLUTION
    …solution lines: removed…
    # BEGIN PROMPT
    # EXERCISE: what to do          (kept as is)
    #> code                         (kept as ``code``: "#> " or "#>" is removed)
    # END

Rules, decided here (see ``strip_solutions``):

- Marker lines match on their stripped text exactly; they may be indented (inside a Python
  block). The lines that replace a region keep their own indentation; ``#>`` is removed
  where it stands, so ``    #> return x`` becomes ``    return x``.
- A region without ``# BEGIN PROMPT`` becomes one line, ``# EXERCISE: write your solution
  here``, at the ``# BEGIN SOLUTION`` marker's indentation. Nothing executable is added (no
  ``raise NotImplementedError`` as nbgrader does: it would not parse in a Dockerfile), so
  inside a Python block the author gives a prompt with at least one ``#>`` line.
- ``BEGIN SOLUTION`` without ``END``, a nested ``BEGIN SOLUTION``, ``BEGIN PROMPT`` or
  ``END`` outside a region, or two prompts in one region raise ``ConfigError`` naming the
  file (and cell) and line: a half-stripped solution must never reach learners.
- Notebooks: only code cells are rewritten (markdown may quote the markers). Outputs,
  execution counts, per-cell execution timings and saved widget state are removed; every
  other notebook and cell metadata is kept.
- The removed regions are kept in ``labs/.solutions.json`` (by file, in order) for
  ``sl.reveal``, which shows one only after an attempt (see ``hints``).
- Files that would answer an exercise met before them (``later.HELD_BACK``) wait in
  ``labs/.later/`` until the lab needs them or the exercise has been attempted.
- The edition is written into a temporary folder beside ``out`` and renamed into place, so a
  crash leaves either the old ``out`` or the finished edition, never half of one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slimlab import config, later
from slimlab.errors import ConfigError

BEGIN_SOLUTION = "# BEGIN SOLUTION"
BEGIN_PROMPT = "# BEGIN PROMPT"
END = "# END"
ACTIVE_PREFIX = "#>"
EMPTY_PROMPT = "# EXERCISE: write your solution here"
MARKERS = (BEGIN_SOLUTION, BEGIN_PROMPT, END)

# Never copied by the plain (non-git) copy: environments, VCS data, caches, build outputs.
SKIP_DIRS = frozenset({
    ".venv", "venv", ".git", "target", "build", "build-proofs", "__pycache__",
    ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".mypy_cache",
})
SKIP_SUFFIXES = (".egg-info", ".pyc", ".class", ".log")


# ---------------------------------------------------------------------------- text


def _marker(line: str) -> str | None:
    stripped = line.strip()
    return stripped if stripped in MARKERS else None


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _activate(line: str) -> str:
    """``    #> code`` -> ``    code``; other lines unchanged (newline kept)."""
    body = line.lstrip()
    if not body.startswith(ACTIVE_PREFIX):
        return line
    rest = body[len(ACTIVE_PREFIX):]
    if rest.startswith(" "):
        rest = rest[1:]
    if not rest.strip():  # "#>" alone: an empty line, without trailing blanks
        rest = "\n" if line.endswith("\n") else ""
    return _indent_of(line) + rest


def strip_solutions(text: str, *, source: str = "<text>") -> tuple[str, int]:
    """Replace each marked region of ``text`` by its prompt; return (text, regions replaced).

    Pure, so the rules are tested without files. ``source`` names the file (and cell) in
    errors, because an author must find a broken marker at once.
    """
    out: list[str] = []
    count = 0
    state = "outside"  # "solution", "prompt"
    begin_line = 0
    begin_indent = ""
    prompt: list[str] = []
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        marker = _marker(line)
        if state == "outside":
            if marker is None:
                out.append(line)
            elif marker == BEGIN_SOLUTION:
                state, begin_line, begin_indent, prompt = "solution", number, _indent_of(line), []
            else:
                raise ConfigError(
                    f"{source}, line {number}: '{marker}' outside a solution region.",
                    hint=f"Open the region with '{BEGIN_SOLUTION}' first, or remove the line.",
                )
            continue
        if marker == BEGIN_SOLUTION:
            raise ConfigError(
                f"{source}, line {number}: '{BEGIN_SOLUTION}' inside the region opened at "
                f"line {begin_line} (regions do not nest).",
                hint=f"Close the first region with '{END}' before opening another.",
            )
        if marker == BEGIN_PROMPT:
            if state == "prompt":
                raise ConfigError(
                    f"{source}, line {number}: a second '{BEGIN_PROMPT}' in the region opened "
                    f"at line {begin_line}.",
                    hint="One region has one solution and one prompt.",
                )
            state = "prompt"
        elif marker == END:
            if state == "prompt":
                out.extend(_activate(p) for p in prompt)
            else:
                newline = "\n" if line.endswith("\n") else ""
                out.append(begin_indent + EMPTY_PROMPT + newline)
            count += 1
            state = "outside"
        elif state == "prompt":
            prompt.append(line)
        # state == "solution": the line is dropped
    if state != "outside":
        raise ConfigError(
            f"{source}, line {begin_line}: '{BEGIN_SOLUTION}' is never closed by '{END}'.",
            hint=f"Add '{END}' after the region's prompt.",
        )
    return "".join(out), count


def solutions_of(text: str) -> list[str]:
    """The solution lines of each marked region of ``text``, in order (what
    ``strip_solutions`` removes). Assumes well-formed markers; ``strip_solutions`` checks."""
    regions: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        marker = _marker(line)
        if marker == BEGIN_SOLUTION:
            current = []
        elif marker in (BEGIN_PROMPT, END):
            if current is not None:
                regions.append("".join(current).rstrip("\n"))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def has_markers(text: str) -> bool:
    """True when any line is a marker line (cheap test before rewriting)."""
    return any(_marker(line) for line in text.splitlines())


# ---------------------------------------------------------------------------- notebooks


def strip_notebook(nb: Any, *, source: str = "<notebook>") -> int:
    """Rewrite a notebook (an nbformat v4 node) in place: solutions out, outputs cleared.

    Returns the number of regions replaced.
    """
    count = 0
    for index, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        if isinstance(text, list):
            text = "".join(text)
        new, n = strip_solutions(text, source=f"{source}, cell {index}")
        cell["source"] = new
        count += n
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    nb.get("metadata", {}).pop("widgets", None)
    return count


def _strip_notebook_file(path: Path, rel: str) -> int:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a damaged file
        raise ConfigError(f"{rel} cannot be read as a notebook: {exc}",
                          hint="Open it in JupyterLab and save it again.") from exc
    count = strip_notebook(nb, source=rel)
    nbformat.write(nb, path)
    return count


def _is_dockerfile(rel: Path) -> bool:
    return bool(rel.parts) and rel.parts[0] == "labs" and rel.name.startswith("Dockerfile")


# ---------------------------------------------------------------------------- copying


def _git_files(src: Path) -> list[str] | None:
    """The tracked files (relative, posix) when ``src`` is a git checkout's top, else None."""
    if not (src / ".git").exists() or shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(["git", "-C", str(src), "ls-files", "-z", "--cached"],
                              capture_output=True, check=True, timeout=60)
    except (subprocess.SubprocessError, OSError):
        return None
    return sorted({p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p})


def _walk_files(src: Path, exclude: tuple[Path, ...] = ()) -> list[str]:
    found: list[str] = []
    excluded = {p.resolve() for p in exclude}
    for root, dirs, files in os.walk(src):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(SKIP_SUFFIXES)
                         and (here / d).resolve() not in excluded)
        found.extend((here / f).relative_to(src).as_posix() for f in sorted(files)
                     if not f.endswith(SKIP_SUFFIXES))
    return found


def source_files(src: Path, exclude: tuple[Path, ...] = ()) -> list[str]:
    """What a learner needs from ``src``: git's tracked files, or a filtered walk."""
    listed = _git_files(src)
    return listed if listed is not None else _walk_files(src, exclude)


def copy_files(src: Path, dst: Path, files: list[str]) -> list[str]:
    """Copy ``files`` (relative) from ``src`` to ``dst``, keeping modes and symlinks.

    Files listed but gone (deleted in the working tree) are skipped; returns those copied.
    """
    copied = []
    for rel in files:
        origin = src / rel
        target = dst / rel
        if not origin.exists() and not origin.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            os.symlink(os.readlink(origin), target)
        elif origin.is_dir():  # a submodule: its files, without its .git
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns(".git"))
        else:
            shutil.copy2(origin, target)
        copied.append(rel)
    return copied


# ---------------------------------------------------------------------------- the edition


@dataclass
class EditionReport:
    """What ``write`` produced: every file, and how many exercises each file lost."""

    out: Path
    files: list[str] = field(default_factory=list)
    exercises: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    solutions: dict[str, list[str]] = field(default_factory=dict)  # what each file lost
    held_back: list[str] = field(default_factory=list)  # moved into labs/.later (``later``)

    @property
    def total_exercises(self) -> int:
        return sum(self.exercises.values())

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "files": list(self.files),
                "exercises": dict(self.exercises), "total_exercises": self.total_exercises,
                "held_back": list(self.held_back), "warnings": list(self.warnings)}

    def summary(self) -> str:
        lines = [f"Attendee edition in {self.out}: {len(self.files)} files, "
                 f"{self.total_exercises} exercise(s) replaced by their prompts."]
        lines += [f"  {n:3d}  {rel}" for rel, n in sorted(self.exercises.items())]
        lines += [f"  held back until needed: {rel}" for rel in self.held_back]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _check_out(out: Path, src: Path, force: bool) -> None:
    out_r, src_r = out.resolve(), src.resolve()
    if out_r == src_r or out_r in src_r.parents:
        raise ConfigError(f"The edition cannot be written to {out}: it holds the source {src}.",
                          hint="Pick a folder outside the repository, or under build/.")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is not a folder.", hint="Pick another path.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ConfigError(f"{out} is not empty; the edition is not written over it.",
                          hint="Pick an empty folder, or pass force=True to replace it.")


def _code_of(path: Path) -> str:
    """Every code cell of a notebook, in order (where its solution regions are)."""
    import json

    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return "\n".join("".join(c.get("source", "")) for c in cells
                     if c.get("cell_type") == "code")


def _rewrite(tmp: Path, rel: str, report: EditionReport) -> None:
    path = tmp / rel
    relp = Path(rel)
    if path.is_symlink() or not path.is_file():
        return
    if relp.parts and relp.parts[0] == "labs" and relp.suffix == ".ipynb":
        solutions = solutions_of(_code_of(path))
        n = _strip_notebook_file(path, rel)
    elif _is_dockerfile(relp):
        text = path.read_text(encoding="utf-8")
        solutions = solutions_of(text)
        new, n = strip_solutions(text, source=rel)
        if n:
            path.write_text(new, encoding="utf-8")
    else:
        if relp.parts and relp.parts[0] == "labs" and relp.suffix != ".md":
            try:
                if has_markers(path.read_text(encoding="utf-8")):
                    report.warnings.append(f"{rel} has exercise markers but is copied as is "
                                           "(only notebooks and Dockerfiles are rewritten)")
            except UnicodeDecodeError:
                pass
        return
    if n:
        report.exercises[rel] = n
        report.solutions[rel] = solutions


SOLUTIONS_FILE = "labs/.solutions.json"


def _write_solutions(tmp: Path, report: EditionReport) -> None:
    """Keep the removed regions for ``sl.reveal``, which opens them only after an attempt.
    Out of sight, not a secret: a learner who opens the file reads every solution."""
    import json

    if report.solutions:
        (tmp / SOLUTIONS_FILE).write_text(
            json.dumps(report.solutions, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8")


def write(out: Path, src: Path | None = None, *, force: bool = False) -> EditionReport:
    """Write the attendee edition of ``src`` (default: this repository) into ``out``.

    Refuses a non-empty ``out`` unless ``force``; builds beside it and renames, so an error
    (a malformed marker, a full disk) leaves no half-written edition behind.
    """
    src = Path(src) if src is not None else config.repo_root()
    out = Path(out)
    if not (src / "labs").is_dir():
        raise ConfigError(f"{src} has no labs/ folder: it is not a Slimlab workbook.",
                          hint="Pass the repository's top folder as src.")
    _check_out(out, src, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    old: Path | None = None
    try:
        files = copy_files(src, tmp, source_files(src, exclude=(out, tmp)))
        report = EditionReport(out=out, files=files)
        for rel in files:
            _rewrite(tmp, rel, report)
        _write_solutions(tmp, report)
        report.held_back = later.hold_back(tmp)
        if out.exists():
            if any(out.iterdir()):
                old = out.with_name(f".{out.name}.{os.getpid()}.old")
                out.rename(old)
            else:
                out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists():
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return report
