"""The attendee edition: marker stripping, notebooks, atomic writing, and the real labs."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from slimlab import config, edition
from slimlab.edition import EMPTY_PROMPT, strip_solutions
from slimlab.errors import ConfigError

ROOT = config.repo_root()
REAL_NOTEBOOKS = sorted(ROOT.glob("labs/**/*.ipynb"))
REAL_DOCKERFILES = sorted(p for p in ROOT.glob("labs/**/Dockerfile*") if p.is_file())


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in paths]


# ---------------------------------------------------------------------------- text


def test_solution_replaced_by_prompt_and_active_lines() -> None:
    text = (
        "FROM base\n"
        "# BEGIN SOLUTION\n"
        "COPY pom.xml .\n"
        "RUN mvn go-offline\n"
        "# BEGIN PROMPT\n"
        "# EXERCISE: order the lines\n"
        "#> COPY . .\n"
        "#>RUN mvn package\n"
        "# END\n"
        "CMD [\"java\"]\n"
    )
    new, count = strip_solutions(text)
    assert count == 1
    assert new == (
        "FROM base\n"
        "# EXERCISE: order the lines\n"
        "COPY . .\n"
        "RUN mvn package\n"
        "CMD [\"java\"]\n"
    )


def test_indentation_is_kept_inside_python_blocks() -> None:
    text = (
        "def size(report):\n"
        "    # BEGIN SOLUTION\n"
        "    return report.size_bytes\n"
        "    # BEGIN PROMPT\n"
        "    # EXERCISE: return the image's size\n"
        "    #> return None\n"
        "    # END\n"
        "\n"
        "for x in range(2):\n"
        "    if x:\n"
        "        # BEGIN SOLUTION\n"
        "        print(x)\n"
        "        # BEGIN PROMPT\n"
        "        #>     pass\n"
        "        # END\n"
    )
    new, count = strip_solutions(text)
    assert count == 2
    assert "size_bytes" not in new and "print(x)" not in new
    assert "    # EXERCISE: return the image's size\n    return None\n" in new
    # only "#> " goes: the author's extra indentation inside the prompt stays
    assert "        " + "    pass\n" in new
    ast.parse(new)


def test_region_without_prompt_becomes_one_exercise_line_at_marker_indentation() -> None:
    new, count = strip_solutions("a = 1\n  # BEGIN SOLUTION\n  b = 2\n  # END\nc = 3\n")
    assert count == 1
    assert new == f"a = 1\n  {EMPTY_PROMPT}\nc = 3\n"


def test_multiple_regions_and_text_without_markers() -> None:
    text = "".join(
        f"# BEGIN SOLUTION\nsecret{i}\n# BEGIN PROMPT\n#> prompt{i}\n# END\nkeep{i}\n"
        for i in range(3)
    )
    new, count = strip_solutions(text)
    assert count == 3
    assert new == "".join(f"prompt{i}\nkeep{i}\n" for i in range(3))
    assert strip_solutions("no markers\n# ENDING is not a marker\n") == (
        "no markers\n# ENDING is not a marker\n", 0)


def test_bare_active_prefix_and_missing_final_newline() -> None:
    new, _ = strip_solutions("# BEGIN SOLUTION\nx\n# BEGIN PROMPT\n#>\n#> y = 1\n# END")
    assert new == "\ny = 1\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a\n# BEGIN SOLUTION\nb\n", 2, "never closed"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END\n", 2, "do not nest"),
        ("x\n# BEGIN PROMPT\n# END\n", 2, "outside"),
        ("x\n\n# END\n", 3, "outside"),
        ("# BEGIN SOLUTION\n# BEGIN PROMPT\n# BEGIN PROMPT\n# END\n", 3, "second"),
    ],
)
def test_malformed_markers_name_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        strip_solutions(text, source="labs/09-x/Dockerfile")
    message = str(caught.value)
    assert f"labs/09-x/Dockerfile, line {line}" in message
    assert words in message


# ---------------------------------------------------------------------------- notebooks


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["widgets"] = {"state": "saved widget output"}
    nb.cells.append(nbformat.v4.new_markdown_cell("Quote: `# BEGIN SOLUTION` stays in prose."))
    for source in sources:
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = 7
        cell.outputs = [nbformat.v4.new_output("stream", text="old output\n")]
        cell.metadata["execution"] = {"iopub.status.busy": "2025-01-01"}
        cell.metadata["tags"] = ["keep-me"]
        nb.cells.append(cell)
    return nb


def test_notebook_cells_stripped_and_outputs_cleared() -> None:
    nb = _notebook("import slimlab as sl",
                   "# BEGIN SOLUTION\nx = 42\n# BEGIN PROMPT\n# EXERCISE: set x\n"
                   "#> x = None\n# END")
    count = edition.strip_notebook(nb, source="labs/01-x/01-x.ipynb")
    assert count == 1
    assert nb.cells[0].source.startswith("Quote: `# BEGIN SOLUTION`")
    assert nb.cells[2].source == "# EXERCISE: set x\nx = None\n"
    for cell in nb.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None
        assert "execution" not in cell.metadata and cell.metadata["tags"] == ["keep-me"]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb.metadata


def test_notebook_error_names_the_cell() -> None:
    nb = _notebook("ok = 1", "# BEGIN SOLUTION\nx = 1\n")
    with pytest.raises(ConfigError, match=r"labs/01-x/01-x.ipynb, cell 3, line 1"):
        edition.strip_notebook(nb, source="labs/01-x/01-x.ipynb")


# ---------------------------------------------------------------------------- writing


def _workbook(root: Path, dockerfile: str = "") -> Path:
    """A tiny workbook: one lab (notebook and Dockerfile), helpers, and clutter."""
    lab = root / "labs" / "01-x"
    lab.mkdir(parents=True)
    nbformat.write(_notebook("# BEGIN SOLUTION\nsolved = True\n# BEGIN PROMPT\n"
                             "#> solved = False\n# END"), lab / "01-x.ipynb")
    (lab / "Dockerfile").write_text(dockerfile or (
        "FROM x\n# BEGIN SOLUTION\nUSER 10001\n# BEGIN PROMPT\n# EXERCISE: a user\n# END\n"))
    (lab / "Dockerfile.other").write_text("FROM y\n")
    (root / "helpers").mkdir()
    (root / "helpers" / "tool.py").write_text("# BEGIN SOLUTION\nnot a lab file\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("binary")
    (root / "sample-app" / "target").mkdir(parents=True)
    (root / "sample-app" / "target" / "app.jar").write_text("jar")
    (root / "sample-app" / "pom.xml").write_text("<project/>")
    return root


def test_write_plain_copy(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src")
    report = edition.write(tmp_path / "out", src)
    out = tmp_path / "out"
    assert sorted(report.files) == ["helpers/tool.py", "labs/01-x/01-x.ipynb",
                                    "labs/01-x/Dockerfile", "labs/01-x/Dockerfile.other",
                                    "sample-app/pom.xml"]
    assert not (out / ".venv").exists() and not (out / "sample-app" / "target").exists()
    assert report.exercises == {"labs/01-x/01-x.ipynb": 1, "labs/01-x/Dockerfile": 1}
    assert (out / "labs/01-x/Dockerfile").read_text() == "FROM x\n# EXERCISE: a user\n"
    nb = nbformat.read(out / "labs/01-x/01-x.ipynb", as_version=4)
    assert nb.cells[1].source == "solved = False\n" and nb.cells[1].outputs == []
    # files outside labs/ are copied as they are, markers and all
    assert (out / "helpers/tool.py").read_text() == "# BEGIN SOLUTION\nnot a lab file\n"
    assert "2 exercise(s)" in report.summary()
    assert json.loads(json.dumps(report.to_dict()))["total_exercises"] == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_write_uses_git_tracked_files(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src")
    (src / "untracked.txt").write_text("scratch")
    run = lambda *a: subprocess.run(["git", "-C", str(src), *a], check=True,  # noqa: E731
                                    capture_output=True)
    run("init", "-q")
    run("add", "labs", "helpers", "sample-app/pom.xml")
    report = edition.write(tmp_path / "out", src)
    assert "untracked.txt" not in report.files
    assert not (tmp_path / "out" / "untracked.txt").exists()
    assert not (tmp_path / "out" / ".git").exists()
    assert "labs/01-x/Dockerfile" in report.files


def test_refuses_non_empty_out_unless_forced(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        edition.write(out, src)
    assert (out / "precious.txt").read_text() == "mine"
    edition.write(out, src, force=True)
    assert not (out / "precious.txt").exists()
    assert (out / "labs/01-x/Dockerfile").exists()


def test_empty_out_folder_is_accepted(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src")
    (tmp_path / "out").mkdir()
    edition.write(tmp_path / "out", src)
    assert (tmp_path / "out/labs/01-x/01-x.ipynb").exists()


def test_refuses_to_write_over_its_source(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src")
    with pytest.raises(ConfigError, match="holds the source"):
        edition.write(src, src, force=True)
    with pytest.raises(ConfigError, match="holds the source"):
        edition.write(tmp_path, src, force=True)
    assert (src / "labs/01-x/Dockerfile").exists()


def test_malformed_marker_leaves_nothing_behind(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src", dockerfile="FROM x\n# BEGIN SOLUTION\nUSER 1\n")
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match=r"labs/01-x/Dockerfile, line 2"):
        edition.write(out, src)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_failed_forced_write_keeps_the_old_edition(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good")
    out = tmp_path / "out"
    edition.write(out, good)
    bad = _workbook(tmp_path / "bad", dockerfile="# END\n")
    with pytest.raises(ConfigError):
        edition.write(out, bad, force=True)
    assert (out / "labs/01-x/Dockerfile").read_text() == "FROM x\n# EXERCISE: a user\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "good", "out"]


# ---------------------------------------------------------------------------- the real labs


def _parses(source: str) -> None:
    """A cell parses as IPython would run it (magics and ``!`` lines transformed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    ast.parse(TransformerManager().transform_cell(source))


@pytest.mark.parametrize("path", REAL_DOCKERFILES, ids=_ids(REAL_DOCKERFILES))
def test_real_dockerfiles_strip(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    new, count = strip_solutions(text, source=str(path))
    assert (count > 0) == edition.has_markers(text)
    assert not edition.has_markers(new), "a marker survived"
    if count:
        assert new != text
        assert "EXERCISE" in new, "an exercise gives the learner a prompt"
    assert any(line.strip().upper().startswith("FROM") for line in new.splitlines())


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=_ids(REAL_NOTEBOOKS))
def test_real_notebooks_strip(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    before = [c.source for c in nb.cells if c.cell_type == "code"]
    count = edition.strip_notebook(nb, source=str(path))
    after = [c.source for c in nb.cells if c.cell_type == "code"]
    assert count == sum(strip_solutions(s)[1] for s in before)
    if count:
        assert after != before
    for source in after:
        assert not edition.has_markers(source), "a marker survived"
        _parses(source)


def test_real_workbook_edition(tmp_path: Path) -> None:
    """The whole repository's edition writes, and every marked lab file changed."""
    report = edition.write(tmp_path / "attendee")
    assert "labs/README.md" in report.files
    for rel in report.exercises:
        original = (ROOT / rel).read_text(encoding="utf-8")
        assert (tmp_path / "attendee" / rel).read_text(encoding="utf-8") != original
    lab_files = [*REAL_DOCKERFILES, *REAL_NOTEBOOKS]
    marked = {p.relative_to(ROOT).as_posix() for p in lab_files
              if edition.has_markers(p.read_text(encoding="utf-8"))}
    # only what the edition copied (git's tracked files; new files once committed)
    assert marked & set(report.files) <= set(report.exercises)
