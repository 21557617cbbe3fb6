"""Lab 01's demonstrations that need no engine: the cache-order verdicts, the ordering
exercise checked from the build itself, and the build context with and without .dockerignore."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from slimlab.builder import BuildResult, StepRecord
from slimlab.labs import layers


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


def test_build_context_counts_what_dockerignore_keeps_out(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "A.java").write_bytes(b"x" * 100)
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "app.jar").write_bytes(b"y" * 5000)
    (tmp_path / ".dockerignore").write_text("target/\n")
    context = layers.build_context(tmp_path, jar_from=None)
    assert context.without_ignore == 100 + 5000 + len("target/\n")
    assert context.with_ignore == 100 + len("target/\n")
    assert context.has_target
    assert "target/ is here" in " ".join(context.points())


def test_build_context_without_target_says_so(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text("<project/>")
    context = layers.build_context(tmp_path, jar_from=None)
    assert not context.has_target
    assert "does not exist" in " ".join(context.points())


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
