"""Lab 01's anatomy views that need no engine: short labels, the cache-order verdicts, and
the build context with and without .dockerignore."""

from __future__ import annotations

from pathlib import Path

import pytest
from slimlab import anatomy
from slimlab.builder import BuildResult, StepRecord
from slimlab.workbook import Delivery


def _result(seconds: float, steps: list[tuple[str, bool]]) -> BuildResult:
    records = [StepRecord(i, text, 1.0, cached) for i, (text, cached) in enumerate(steps, 1)]
    return BuildResult("bookshelf:x", "sha256:x", seconds, records)


def _delivery(name: str, seconds: float, steps: list[tuple[str, bool]]) -> Delivery:
    return Delivery(name, _result(1.0, steps), _result(seconds, steps), 1_000_000, 1)


def test_short_cuts_digests_and_length() -> None:
    text = "ADD file:" + "a" * 64 + " in /"
    assert anatomy._short(text) == "ADD file:aaaaaaaaaaaa… in /"
    assert len(anatomy._short("x" * 200, 20)) == 20


def test_cache_order_ratio_and_dependency_step() -> None:
    bad = anatomy.Rebuild("bad order", "basic", _delivery(
        "basic", 90.0, [("COPY . .", False), ("RUN mvn package -DskipTests", False)]))
    good = anatomy.Rebuild("good order", "ordered", _delivery(
        "ordered", 30.0, [("COPY pom.xml .", True), ("RUN mvn dependency:go-offline", True),
                          ("COPY src src", False), ("RUN mvn package -DskipTests", False)]))
    order = anatomy.CacheOrder(bad, good)
    assert order.ratio == pytest.approx(1 / 3)
    assert order.dependency_cached
    assert not bad.has_dependency_step and not bad.dependency_cached
    assert bad.row()["dependency step"].startswith("none")
    assert good.row()["steps from cache"] == "2/4"


def test_unordered_exercise_fails_the_dependency_check() -> None:
    steps = [("COPY . .", False), ("RUN mvn package -DskipTests", False)]
    order = anatomy.CacheOrder(anatomy.Rebuild("bad order", "basic", _delivery("basic", 90, steps)),
                               anatomy.Rebuild("good order", "ordered",
                                               _delivery("ordered", 88, steps)))
    assert not order.dependency_cached
    assert order.ratio > 0.9


def test_build_context_counts_what_dockerignore_keeps_out(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "A.java").write_bytes(b"x" * 100)
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "app.jar").write_bytes(b"y" * 5000)
    (tmp_path / ".dockerignore").write_text("target/\n")
    context = anatomy.build_context(tmp_path, jar_from=None)
    assert context.without_ignore == 100 + 5000 + len("target/\n")
    assert context.with_ignore == 100 + len("target/\n")
    assert context.has_target
    assert "target/ is here" in " ".join(context.points())


def test_build_context_without_target_says_so(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text("<project/>")
    context = anatomy.build_context(tmp_path, jar_from=None)
    assert not context.has_target
    assert "does not exist" in " ".join(context.points())


