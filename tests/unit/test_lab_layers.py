"""Lab 01's demonstrations and exercises that need no engine: the cache-order verdicts, the
ordering exercise checked from the build itself, the same-RUN cleanup exercise measured from
layer indexes, the .dockerignore exercise measured on a checkout, and the hints."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from slimlab import config
from slimlab.builder import BuildResult, StepRecord
from slimlab.edition import strip_solutions
from slimlab.labs import layers
from slimlab.metrics.layers import Entry


def _result(seconds: float, steps: list[tuple[str, bool]]) -> BuildResult:
    records = [StepRecord(i, text, 1.0, cached) for i, (text, cached) in enumerate(steps, 1)]
    return BuildResult("bookshelf:x", "sha256:x", seconds, records)


def _delivery(name: str, seconds: float, steps: list[tuple[str, bool]]) -> SimpleNamespace:
    """What a rebuild reads of a ``workbook.Delivery``: the warm build and the push bytes."""
    return SimpleNamespace(name=name, cold=_result(1.0, steps), warm=_result(seconds, steps),
                           push_bytes=1_000_000, new_layers=1)


def test_cache_order_ratio_and_dependency_step() -> None:
    bad = layers.Rebuild("bad order", "basic", _delivery(
        "basic", 90.0, [("COPY . .", False), ("RUN mvn package -DskipTests", False)]))
    good = layers.Rebuild("good order", "ordered", _delivery(
        "ordered", 30.0, [("COPY pom.xml .", True), ("RUN mvn dependency:go-offline", True),
                          ("COPY src src", False), ("RUN mvn package -DskipTests", False)]))
    order = layers.CacheOrder(bad, good)
    assert order.ratio == pytest.approx(1 / 3)
    assert order.dependency_cached
    assert not bad.has_dependency_step and not bad.dependency_cached
    assert bad.row()["dependency step"].startswith("none")
    assert good.row()["steps from cache"] == "2/4"


def test_unordered_exercise_fails_the_dependency_check() -> None:
    steps = [("COPY . .", False), ("RUN mvn package -DskipTests", False)]
    order = layers.CacheOrder(layers.Rebuild("bad order", "basic", _delivery("basic", 90, steps)),
                               layers.Rebuild("good order", "ordered",
                                               _delivery("ordered", 88, steps)))
    assert not order.dependency_cached
    assert order.ratio > 0.9


def _checkout(root: Path) -> Path:
    """A small app after a host build: sources, a pom, .mvn, notes, and target/ with a jar."""
    for rel, size in (("src/A.java", 100), ("pom.xml", 40), (".mvn/maven.config", 10),
                      ("README.md", 30), ("target/app.jar", 5000),
                      ("target/classes/A.class", 200)):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x" * size)
    return root


@pytest.fixture
def app(tmp_path: Path, monkeypatch) -> Path:
    """An app folder inside Slimlab's scratch checkouts, where rules may be written."""
    monkeypatch.setenv("SLIMLAB_HOME", str(tmp_path / "home"))
    root = tmp_path / "home" / "checkouts" / "app"
    root.mkdir(parents=True)
    return root


def test_the_learners_rules_are_written_and_measured(app: Path) -> None:
    context = layers.build_context(["target/", "*.md"], app_dir=_checkout(app))
    ignore = len("target/\n*.md\n")
    assert (app / ".dockerignore").read_text() == "target/\n*.md\n"
    assert context.without_ignore == 100 + 40 + 10 + 30 + 5000 + 200 + ignore
    assert context.with_ignore == 100 + 40 + 10 + ignore
    assert context.saved_bytes == 30 + 5000 + 200
    assert context.has_target and context.target_sent == 0 and context.needed_sent
    assert context.ratio < 0.1
    assert "keep all of it out" in " ".join(context.points())


def test_no_rules_send_everything_and_leave_no_ignore_file(app: Path) -> None:
    (_checkout(app) / ".dockerignore").write_text("target/\n")
    bare = layers.build_context([], app_dir=app)
    assert not (app / ".dockerignore").exists()
    assert bare.patterns == [] and bare.with_ignore == bare.without_ignore
    assert bare.target_sent == 5200 and bare.ratio == 1
    assert "5200" not in " ".join(bare.points())  # MB, not bytes
    assert "send 0.01 MB of it" in " ".join(bare.points())


def test_rules_are_never_written_into_a_learners_own_app(app: Path, tmp_path: Path) -> None:
    from slimlab.errors import ConfigError

    own = _checkout(tmp_path / "sample-app")
    with pytest.raises(ConfigError) as info:
        layers.build_context(["target/"], app_dir=own)
    assert "only into its own checkout" in info.value.message
    assert not (own / ".dockerignore").exists()
    assert layers.build_context(app_dir=own).without_ignore > 0  # measuring as it is: fine


@pytest.mark.parametrize(("rules", "target_sent", "needed"), [
    (["target/*.jar"], 200, True),  # the classes still go
    (["*"], 0, False),  # keeps target/ out, and pom.xml and src too
    (["src/", "target/"], 0, False),
])
def test_half_right_rules_fail_a_check(app: Path, rules: list[str], target_sent: int,
                                       needed: bool) -> None:
    context = layers.build_context(rules, app_dir=_checkout(app))
    assert context.target_sent == target_sent
    assert context.needed_sent is needed
    assert not (context.target_sent == 0 and context.needed_sent)
    if not needed:  # small because broken: the scored ratio check must fail
        assert context.useful_ratio == 1.0


def test_build_context_without_target_says_so(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text("<project/>")
    context = layers.build_context(app_dir=tmp_path)
    assert not context.has_target and context.target_sent == 0
    assert "has no target/" in " ".join(context.points())


# ---------------------------------------------------------------------------- cleanup


def _report(ref: str, *layer_entries: list[Entry]) -> SimpleNamespace:
    """What the cleanup exercise reads of an ImageReport: layers, size, and has()."""
    layer_list = [SimpleNamespace(entries=entries) for entries in layer_entries]
    final = {e.path for entries in layer_entries for e in entries}
    return SimpleNamespace(ref=ref, layers=layer_list,
                           size_bytes=sum(e.size for es in layer_entries for e in es),
                           has=lambda pattern: pattern.lstrip("/") in final)


BASE = [Entry("var/lib/apt/lists", 0, 0o755, "d"), Entry("usr/bin/sh", 100, 0o755, "f")]
CURL = Entry("usr/bin/curl", 300, 0o755, "f")
LISTS = [Entry("var/lib/apt/lists/x_Packages", 9000, 0o644, "f"),
         Entry("var/lib/apt/lists/lock", 0, 0o640, "f")]
WHITEOUT = [Entry("var/lib/apt/lists/.wh.x_Packages", 0, 0o644, "f")]


def test_lists_deleted_in_a_later_layer_still_count() -> None:
    later = _report("later", BASE, [CURL, *LISTS], WHITEOUT)
    same = _report("same", BASE, [CURL])
    demo = layers.CleanupDemo(later, same)  # type: ignore[arg-type]
    assert layers.lists_bytes(later) == 9000  # type: ignore[arg-type]
    assert demo.same_lists_bytes == 0 and demo.same_has_curl
    assert demo.ratio < 0.9 and demo.saved_bytes == 9000


def test_the_unsolved_prompt_fails_every_cleanup_check() -> None:
    """The prompt repeats cleanup-later's RUNs: same image, lists in a layer."""
    later = _report("later", BASE, [CURL, *LISTS], WHITEOUT)
    demo = layers.CleanupDemo(later, later)  # type: ignore[arg-type]
    assert demo.ratio == 1 and demo.same_lists_bytes == 9000
    no_curl = layers.CleanupDemo(later, _report("same", BASE))  # type: ignore[arg-type]
    assert no_curl.ratio < 0.9 and not no_curl.same_has_curl


def test_the_cleanup_prompt_keeps_both_runs_and_the_solution_one() -> None:
    text = (config.repo_root() / layers.CLEANUP_SAME_RUN).read_text()
    prompt, count = strip_solutions(text)
    later = (config.repo_root() / layers.CLEANUP_LATER).read_text()
    runs = [line for line in prompt.splitlines() if line.startswith("RUN ")]
    assert count == 1
    assert runs == [line for line in later.splitlines() if line.startswith("RUN ")]
    assert "EXERCISE" in prompt
    solution_runs = [line for line in text.splitlines() if line.startswith("RUN ")]
    assert len(solution_runs) == 1  # the solution is one RUN, continued with &&


# ---------------------------------------------------------------------------- hints


def _lab_notebook() -> nbformat.NotebookNode:
    return nbformat.read(config.repo_root() / "labs/01-layers/01-layers.ipynb", as_version=4)


def test_the_exercise_prose_does_not_give_the_solution_away() -> None:
    """The markdown tells the goal; the fixes live in the hints and the solution regions."""
    prose = "\n".join(c.source for c in _lab_notebook().cells if c.cell_type == "markdown")
    for fix in ("&& rm", "rm -rf", "`target/`", '"target/"'):
        assert fix not in prose


def test_each_exercise_has_literal_checkpoints_and_a_hint_cell() -> None:
    code = [c.source for c in _lab_notebook().cells if c.cell_type == "code"]
    for measured in ("cleanup.ratio", "cleanup.same_lists_bytes", "cleanup.same_has_curl",
                     "context.target_sent", "context.useful_ratio", "context.needed_sent"):
        assert any(s.startswith("sl.check(LAB,") and measured in s for s in code), measured
    rules = next(s for s in code if "ignore_rules =" in s)
    stripped, count = strip_solutions(rules)
    assert count == 1 and "ignore_rules = []" in stripped and "target" not in stripped


def _built(*instructions: str) -> SimpleNamespace:
    return SimpleNamespace(steps=[SimpleNamespace(instruction=text) for text in instructions])


def test_the_ordering_exercise_is_checked_from_the_build_itself() -> None:
    good = _built("FROM maven", "COPY .mvn .mvn", "COPY pom.xml .",
                  "RUN mvn dependency:go-offline", "COPY src src", "RUN mvn package")
    bad = _built("FROM maven", "COPY . .", "RUN mvn package -DskipTests")
    late = _built("FROM maven", "COPY src src", "RUN mvn dependency:go-offline",
                  "RUN mvn package")
    assert layers.dependency_layer_first(good)
    assert not layers.dependency_layer_first(bad)
    assert not layers.dependency_layer_first(late)


def test_cache_mount_records_the_base_images_its_row_shows(monkeypatch, tmp_path: Path) -> None:
    """cache-mount is built only by this demonstration: unrecorded, its scoreboard row had
    no "base images" and the plots' kit note left it out."""
    import contextlib

    from slimlab import checkpoints, engine, report, workbook
    from slimlab.metrics import delivery

    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("SLIMLAB_RESULTS", str(results))
    kit = SimpleNamespace(arg="MAVEN_IMAGE", image="slimlab-kit/maven:3.9-jdk25", source="kit")
    monkeypatch.setattr(workbook, "base_args", lambda path, profile=None: [kit])
    monkeypatch.setattr(workbook, "build_image", lambda path, tag, **kw: _result(
        12.0, [("RUN mvn dependency:go-offline", False)]))
    monkeypatch.setattr(layers, "inspect", lambda tag: SimpleNamespace(size_bytes=500_000_000))
    monkeypatch.setattr(layers, "stand_in_note", lambda path: " (kit stand-in bases)")
    monkeypatch.setattr(layers, "_mirror_served", lambda: None)
    monkeypatch.setattr(delivery, "changed_copy",
                        lambda what: contextlib.nullcontext(tmp_path / "app"))
    monkeypatch.setattr(engine, "remove_image", lambda tag: None)
    layers.cache_mount("ordered", "cache-mount")
    measured = checkpoints.load_measurements(results)
    assert measured["cache-mount"]["base_source"] == "kit"
    assert measured["cache-mount"]["tag"] == "bookshelf:cache-mount"
    assert "-pom" not in str(measured)  # the pom-changed rebuilds stay unrecorded
    assert report.scoreboard(measured).loc["cache-mount", "base images"] == "kit stand-in"
    assert report.kit_variants(measured) == ["ordered", "cache-mount"]
