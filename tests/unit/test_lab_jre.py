"""Lab 03's tables, no engine: each is the scoreboard over the lab's stages, cut to the
columns of one part of the story, and the step-by-step savings in %."""

from __future__ import annotations

import fnmatch
from types import SimpleNamespace

import pytest
from slimlab import workbook
from slimlab.kit.bases import BY_ARG
from slimlab.labs import jre
from slimlab.report import WRITEUP_SIZE_COLUMN

STAGES = {
    "basic": {"size_bytes": 800_000_000, "pull_bytes": 400_000_000, "ready_s": 3.0},
    "multi": {"size_bytes": 400_000_000, "pull_bytes": 200_000_000, "ready_s": 2.9},
    "jre": {"size_bytes": 300_000_000, "pull_bytes": 100_000_000, "ready_s": 2.8},
    "alpine": {"size_bytes": 150_000_000, "pull_bytes": 100_000_000, "ready_s": 2.8},
}


@pytest.mark.parametrize(("view", "columns"), [
    (jre.startup_table, jre.STARTUP_COLUMNS), (jre.surface_table, jre.SURFACE_COLUMNS),
    (jre.size_table, jre.SIZE_COLUMNS)])
def test_each_table_shows_its_columns_for_every_stage(view, columns) -> None:
    table = view(STAGES)
    assert list(table.columns) == columns
    assert list(table.index) == list(jre.STAGES)


def test_shrink_table_is_the_saving_over_the_previous_stage() -> None:
    table = jre.shrink_table(STAGES)
    assert list(table.columns) == [jre.SHRINK_PREFIX + c for c in jre.SHRINK_COLUMNS]
    size = table[jre.SHRINK_PREFIX + "size MB"]
    assert size.isna().iloc[0]  # nothing before the first stage
    assert list(size.iloc[1:]) == [50.0, 25.0, 50.0]
    assert table.loc["alpine", jre.SHRINK_PREFIX + "pull MB"] == 0.0
    assert table.loc["multi", jre.SHRINK_PREFIX + WRITEUP_SIZE_COLUMN] == pytest.approx(38.0)


def test_each_stage_is_measured_then_read_back(monkeypatch) -> None:
    measured: list[str] = []
    monkeypatch.setattr(workbook, "measure", measured.append)
    monkeypatch.setattr(jre, "load_measurements", lambda: {**STAGES, "native": {}})
    assert jre.measure_each(["jre", "alpine"]) == {"jre": STAGES["jre"],
                                                   "alpine": STAGES["alpine"]}
    assert measured == ["jre", "alpine"]


def test_startups_are_timed_together_then_read_back(monkeypatch) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(workbook, "startup", started.append)
    monkeypatch.setattr(jre, "load_measurements", lambda: STAGES)
    assert list(jre.start_each(jre.STAGES)) == list(jre.STAGES)
    assert started == [list(jre.STAGES)]


# ---------------------------------------------------------------------------- one call per cell


class _Image(SimpleNamespace):
    """An image report with made-up files, size and user (no engine behind it)."""

    def glob(self, pattern: str) -> list[str]:
        return ["/" + p for p in self.files if fnmatch.fnmatchcase(p, pattern.lstrip("/"))]


IMAGES = {
    "multi": _Image(ref="bookshelf:multi", size_bytes=400_000_000, user="",
                    files=["opt/java/openjdk/bin/java", "opt/java/openjdk/bin/javac",
                           "opt/java/openjdk/bin/jlink",
                           "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"]),
    "jre": _Image(ref="bookshelf:jre", size_bytes=300_000_000, user="10001:10001",
                  files=["opt/java/openjdk/bin/java", "lib64/ld-linux-x86-64.so.2"]),
    "alpine": _Image(ref="bookshelf:alpine", size_bytes=150_000_000, user="root",
                     files=["opt/java/openjdk/bin/java", "lib/ld-musl-x86_64.so.1"]),
}


@pytest.fixture
def images(monkeypatch) -> dict[str, _Image]:
    monkeypatch.setattr(workbook, "image", IMAGES.__getitem__)
    return IMAGES


def test_jdk_tools_are_found_in_the_jdk_image_and_not_in_the_jre(images) -> None:
    assert jre.jdk_tools("multi") == ["/opt/java/openjdk/bin/javac",
                                      "/opt/java/openjdk/bin/jlink"]
    assert jre.jdk_tools("multi", ["javac"]) == ["/opt/java/openjdk/bin/javac"]
    assert jre.jdk_tools("jre") == []


def test_sizes_are_megabytes_and_percent_of_a_baseline(images) -> None:
    assert jre.size_mb("jre") == pytest.approx(300.0)
    assert jre.percent_of("jre", "multi") == pytest.approx(75.0)
    assert jre.percent_of("alpine", "jre") == pytest.approx(50.0)


def test_the_loaders_say_which_c_library_the_image_uses(images) -> None:
    assert jre.c_library("alpine") == {"musl loader (Alpine)": ["/lib/ld-musl-x86_64.so.1"],
                                       "glibc loader": []}
    assert jre.c_library("jre") == {"musl loader (Alpine)": [],
                                    "glibc loader": ["/lib64/ld-linux-x86-64.so.2"]}


@pytest.mark.parametrize(("what", "non_root"), [("jre", True), ("alpine", False),
                                                ("multi", False)])
def test_root_by_name_uid_or_silence_is_root(images, what: str, non_root: bool) -> None:
    runs_as = jre.runs_as(what)
    assert runs_as.non_root is non_root
    assert runs_as.expected == f"not root (the image's USER is {IMAGES[what].user!r})"
    assert jre.RunsAs("x", "0:0").non_root is False


def test_contents_are_ok_only_when_every_row_is(monkeypatch) -> None:
    rows = [{"pattern": "app/*", "ok": True}, {"pattern": "*/bin/javac", "ok": True}]
    monkeypatch.setattr(workbook, "contents_check", lambda what: rows)
    assert jre.contents_ok("jre") is True
    rows.append({"pattern": "root/.m2", "ok": False})
    assert jre.contents_ok("jre") is False


def test_missing_stages_are_built_and_their_tags_returned(monkeypatch) -> None:
    ensured: list[str] = []
    monkeypatch.setattr(workbook, "ensure",
                        lambda name: ensured.append(name) or f"bookshelf:{name}")
    assert jre.ensure_each(["basic", "multi"]) == ["bookshelf:basic", "bookshelf:multi"]
    assert ensured == ["basic", "multi"]


def test_the_ready_ratio_divides_the_medians() -> None:
    assert jre.ready_ratio(STAGES, "alpine", "multi") == pytest.approx(2.8 / 2.9)


def test_base_images_mark_what_is_not_the_upstream_default() -> None:
    build = SimpleNamespace(tag="bookshelf:jre", bases={
        "MAVEN_IMAGE": "slimlab-kit/maven:3.9-jdk25",
        "JRE_IMAGE": BY_ARG["JRE_IMAGE"].upstream})
    shown = jre.base_images(build)  # type: ignore[arg-type]
    assert shown.caption == "The base images bookshelf:jre was built on"
    rows = shown.frame.to_dict("records")
    assert [r["source"] for r in rows] == ["kit stand-in", "upstream"]
    assert rows[0]["upstream default"] == BY_ARG["MAVEN_IMAGE"].upstream


@pytest.mark.parametrize(("text", "default", "runtime_only"), [
    ("ARG JRE_IMAGE=eclipse-temurin:25-jre\nFROM ${JRE_IMAGE}\n", "eclipse-temurin:25-jre", True),
    ("ARG JRE_IMAGE=eclipse-temurin:25-jdk\n", "eclipse-temurin:25-jdk", False),
    ("ARG JRE_IMAGE=registry.example/eclipse-temurin:25-jre-alpine\n",
     "registry.example/eclipse-temurin:25-jre-alpine", True),
    ("ARG JRE_IMAGE\nFROM ${JRE_IMAGE}\n", "", False),
    ("ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-25\nFROM ${MAVEN_IMAGE}\n", "", False),
])
def test_the_declared_runtime_base_is_judged_by_its_upstream_default(
        tmp_path, monkeypatch, text: str, default: str, runtime_only: bool):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(text)
    monkeypatch.setattr(jre.workbook, "resolve", lambda what: SimpleNamespace(
        buildable=lambda: dockerfile))
    declared = jre.declared_base("jre", "JRE_IMAGE")
    assert declared.default == default
    assert declared.runtime_only is runtime_only
    assert ("no ARG" in str(declared)) is (default == "")
