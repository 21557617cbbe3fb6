"""Lab 02's push and compression comparisons, from fake pushes (no engine)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas
import pytest
from slimlab.labs import multistage
from slimlab.registry import LayerPush, Push


def _push(sizes: list[int], sent: list[bool] | None = None) -> Push:
    sent = sent or [True] * len(sizes)
    return Push("r", [LayerPush(f"sha256:{i}", size, flag, "Pushed" if flag else
                                "Layer already exists")
                      for i, (size, flag) in enumerate(zip(sizes, sent, strict=True))], 1000)


def _delivery(name: str, sent: list[bool], sizes: list[int]):
    after = _push(sizes, sent)
    warm = SimpleNamespace(seconds=12.0, cached_steps=9, steps=[0] * 12)
    return SimpleNamespace(name=name, after=after, push_bytes=after.sent_bytes,
                           new_layers=sum(sent), estimate_bytes=after.sent_bytes - 900,
                           warm=warm, push_rows=after.rows)


def test_the_push_table_shows_what_was_sent_and_what_the_registry_had():
    single = _delivery("multi", [False, True], [300_000_000, 60_000_000])
    layered = _delivery("layered", [False, False, True], [300_000_000, 60_000_000, 50_000])
    compare = multistage.PushCompare(single, layered)
    rows = compare.table().to_dict("records")
    assert [r["layers sent"] for r in rows] == [1, 1]
    assert [r["already in the registry"] for r in rows] == [1, 2]
    assert rows[1]["push sent MB"] == 0.051
    assert compare.ratio < 0.001
    assert "Layer already exists" in compare.pushed("layered").frame["status"].tolist()


def test_compression_compares_the_registrys_sizes():
    compare = multistage.CompressionCompare(
        "bookshelf:layered", {"gzip": _push([100_000_000, 0, 52_000]),
                              "zstd": _push([80_000_000, 0, 51_000])},
        {"gzip": 30.0, "zstd": 12.0})
    rows = compare.table().to_dict("records")
    assert rows[0]["zstd / gzip"] == 0.8 and pandas.isna(rows[1]["zstd / gzip"])  # empty layer
    assert rows[-1]["layer"] == "all (a first pull)"
    assert round(compare.ratio, 2) == 0.8
    text = " ".join(compare.points())
    assert "80 %" in text and "52.0 kB with gzip and 51.0 kB with zstd" in text


def test_compression_on_an_engine_that_cannot_push_zstd_shows_gzip_and_says_why():
    compare = multistage.CompressionCompare(
        "bookshelf:layered", {"gzip": _push([100_000_000, 52_000])}, {"gzip": 30.0},
        missing="this engine keeps its images in the overlay2 store … containerd-snapshotter")
    rows = compare.table().to_dict("records")
    assert list(rows[0]) == ["layer", "gzip MB"] and rows[-1]["gzip MB"] == 100.1
    assert compare.ratio is None
    first = compare.points()[0]
    assert first.startswith("Only gzip was pushed") and "containerd-snapshotter" in first


JARS = ["h2-2.3.232.jar", "postgresql-42.7.11.jar", "hibernate-core-7.2.19.Final.jar",
        "log4j-to-slf4j-2.25.4.jar", "HikariCP-7.0.2.jar"]


def test_a_jar_name_gives_its_artifact_id():
    assert [multistage._artifact_of(j) for j in JARS] == [
        "h2", "postgresql", "hibernate-core", "log4j-to-slf4j", "HikariCP"]


def test_excludes_match_by_artifact_id_and_a_typo_matches_nothing():
    found = multistage.matching_jars(["com.h2database:h2", "org.hibernate:hibernate",
                                      "org.postgresql:postgresql"], JARS)
    assert found == {"com.h2database:h2": ["h2-2.3.232.jar"], "org.hibernate:hibernate": [],
                     "org.postgresql:postgresql": ["postgresql-42.7.11.jar"]}


def test_production_deps_reports_what_left_and_what_matched_nothing():
    before = [{"jar": j, "bytes": size} for j, size in zip(JARS, [2_700_000, 1_100_000,
                                                                   12_000_000, 30_000, 160_000],
                                                            strict=True)]
    after = [r for r in before if r["jar"] != "h2-2.3.232.jar"]
    prod = multistage.ProductionDeps(["com.h2database:h2", "com.h2database:h2-typo"], before,
                                     after, {"bookshelf:layered": 300_000_000,
                                             "bookshelf:production": 297_300_000})
    assert prod.removed == ["h2-2.3.232.jar"] and prod.saved_bytes == 2_700_000
    assert prod.unmatched == ["com.h2database:h2-typo"]
    assert not prod.ships("h2") and prod.ships("postgresql")
    rows = prod.table().to_dict("records")
    assert [r["libraries"] for r in rows] == [5, 4]
    assert [r["image MB"] for r in rows] == [300.0, 297.3]
    text = " ".join(prod.points())
    assert "Left out: h2-2.3.232.jar" in text and "2.7 MB smaller" in text
    assert "Matched no library" in text and "h2-typo" in text
    assert "No test library" in text
    wrong_group = multistage.ProductionDeps(["org.postgres:postgresql"], before, before, {
        "bookshelf:layered": 1, "bookshelf:production": 1})
    assert wrong_group.unmatched == ["org.postgres:postgresql"]  # its jar still ships
    with_tests = multistage.ProductionDeps([], [*before, {"jar": "junit-jupiter-api-5.12.jar",
                                                          "bytes": 1}], after, {
        "bookshelf:layered": 1, "bookshelf:production": 1})
    assert with_tests.test_libraries == ["junit-jupiter-api-5.12.jar"]


def test_production_refuses_names_that_are_not_group_and_artifact(monkeypatch):
    from slimlab.errors import ConfigError
    monkeypatch.setattr(multistage.workbook, "ensure", lambda *a, **k: pytest.fail("built"))
    with pytest.raises(ConfigError) as info:
        multistage.production(["h2", "com.h2database:h2"])
    assert "'h2'" in info.value.message and "groupId:artifactId" in info.value.hint


@pytest.mark.parametrize(("store", "driver", "refused"), [
    ("overlay2", "docker", True), ("overlay2", None, True),
    ("overlay2", "docker-container", False), ("containerd", "docker", False)])
def test_zstd_is_refused_only_where_the_push_would_be_gzip(monkeypatch, store, driver,
                                                           refused):
    from slimlab import builder

    monkeypatch.setattr(builder.engine, "image_store", lambda: store)
    monkeypatch.setattr(builder.buildx, "driver", lambda: driver)
    assert bool(builder.zstd_refusal()) is refused
    if refused:
        from slimlab.errors import EngineLimit
        with pytest.raises(EngineLimit) as info:
            builder.require_compression("zstd")
        assert "overlay2" in info.value.message and "containerd" in info.value.hint
    builder.require_compression("gzip")  # gzip is always what it says
