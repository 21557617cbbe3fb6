"""Lab 04's pure parts, no engine: the summary rendered from data, reading jdeps' and
jlink's files, what a runtime is made of, the verdicts and the tables built from rows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slimlab import workbook
from slimlab.errors import ContainerFailed
from slimlab.labs import jlink
from slimlab.metrics.image import ImageReport
from slimlab.metrics.layers import Entry

MB = 1_000_000
LEVELS = (
    {"compress": "zip-0", "tag": "bookshelf:jlink-zip-0", "runtime disk bytes": 80 * MB,
     "runtime pull bytes": 30 * MB},
    {"compress": "zip-6", "tag": "bookshelf:jlink", "runtime disk bytes": 50 * MB,
     "runtime pull bytes": 29 * MB},
)


def _report(files: dict[str, int], ref: str = "bookshelf:x") -> ImageReport:
    """A real ImageReport over a made-up file system (no engine behind it)."""
    report = ImageReport(ref, attrs={})
    report.__dict__["fs"] = SimpleNamespace(files={
        path: (Entry(path, size, 0o644, "d" if path.endswith("/") else "f"), None)
        for path, size in files.items()})
    return report


JDK = _report({
    "opt/java/bin/java": 10_000,
    "opt/java/lib/modules": 40 * MB,
    "opt/java/lib/server/libjvm.so": 20 * MB,
    "opt/java/lib/server/libjvm.debuginfo": 150 * MB,
    "opt/java/lib/libnet.so": 1 * MB,
    "opt/java/lib/libnet.debuginfo": 3 * MB,
    "opt/java/release": 1_000,
    "app/app.aot": 60 * MB,
    "usr/bin/java": 10,  # a launcher elsewhere: no lib/modules beside it
})


def _figures(**changes) -> jlink.SummaryFigures:
    figures = jlink.SummaryFigures(
        modules=11, full_jre_bytes=100 * MB, first_runtime_bytes=250 * MB,
        fixed_runtime_bytes=45 * MB, debuginfo_files=120, debuginfo_bytes=200 * MB,
        trap_met=True, alpine_bytes=200 * MB, alpine_pull_bytes=80 * MB,
        jlink_bytes=90 * MB, jlink_pull_bytes=40 * MB, first_image_bytes=300 * MB,
        levels=LEVELS, handpicked_failed=True, jre_ready_s=2.0, aot_ready_s=0.8,
        cache_bytes=60 * MB, push_bytes=62 * MB, rebuild_s=75.0,
        writeup_alpine_mb=245, writeup_jlink_mb=127, kit=" (kit stand-in bases)")
    return jlink.SummaryFigures(**{**vars(figures), **changes})


# ---------------------------------------------------------------------------- summary


def test_summary_rows_are_the_templates_filled_with_this_runs_figures() -> None:
    summary = jlink.render_summary(_figures())
    assert summary.title == "Lab 04, measured in this run (kit stand-in bases)"
    whats = [row["what"] for row in summary.rows]
    assert len(whats) == len(jlink.ROWS_BEFORE_LEVELS) + len(LEVELS) + len(
        jlink.ROWS_AFTER_LEVELS)
    assert whats[4:6] == ["runtime with --compress=zip-0: disk / pulled",
                          "runtime with --compress=zip-6: disk / pulled"]
    measured = {row["what"]: row["measured here"] for row in summary.rows}
    assert measured["modules jdeps computed"] == "11"
    assert measured["Java runtime: full JRE / first jlink / fixed jlink"] == \
        "100 / 250 / 45 MB (kit stand-in bases)"
    assert measured["image: bookshelf:alpine → bookshelf:jlink"] == \
        "200 → 90 MB (pull 80 → 40 MB) (kit stand-in bases)"
    assert measured["runtime with --compress=zip-6: disk / pulled"] == "50.0 / 29.0 MB"
    assert measured["hand-typed module list"] == "failed at startup"
    assert measured["time to ready: bookshelf:jre → bookshelf:aot (medians)"] == \
        "2.00 → 0.80 s (0.40 ×)"
    assert measured["AOT cache on disk / bytes pushed per code change (gzip)"] == "60 MB / 62 MB"
    writeup = {row["what"]: row["write-up (its machine)"] for row in summary.rows}
    assert writeup["image: bookshelf:alpine → bookshelf:jlink"] == "245 → 127 MB"
    assert writeup["modules jdeps computed"] == "11"


def test_summary_points_follow_what_was_measured() -> None:
    points = jlink.render_summary(_figures()).points
    assert points[1] == ("On this JDK, --strip-debug left 120 *.debuginfo files, 200 MB: the "
                         "first runtime was 2.5 × the full JRE. Deleting them in the jlink stage "
                         "made it 45 MB (0.45 × the JRE).")
    assert points[3] == ("--compress=zip-6 against zip-0: the runtime is 38 % smaller on disk "
                         "and 3 % smaller on the wire: a registry gzips every layer anyway.")
    assert points[-1].startswith("Spring AOT plus the JDK's AOT cache made the start 2.5 × "
                                 "faster")
    assert "(75 s here)" in points[-1] and "(62 MB compressed per change)" in points[-1]


def test_summary_without_the_trap_or_a_second_level_says_so() -> None:
    summary = jlink.render_summary(_figures(trap_met=False, levels=LEVELS[:1],
                                            handpicked_failed=False, kit=""))
    assert summary.title == "Lab 04, measured in this run"
    assert summary.points[1] == ("This JDK's --strip-debug left no big debug files: the "
                                 "runtime was 45 MB (0.45 × the JRE) without a fix.")
    assert not any(p.startswith("--compress=") for p in summary.points)
    assert len(summary.points) == 5
    assert {"what": "hand-typed module list", "measured here": "started (unexpected)",
            "write-up (its machine)": ""} in summary.rows


def test_summary_reads_its_figures_from_the_images(monkeypatch) -> None:
    sizes = {"alpine": (200 * MB, 80 * MB), "jlink": (90 * MB, 40 * MB),
             "aot": (150 * MB, 60 * MB), "bookshelf:jlink-debuginfo": (300 * MB, 0)}
    monkeypatch.setattr(jlink, "_report", lambda what: SimpleNamespace(
        ref=what, size_bytes=sizes[what][0], pull_bytes=sizes[what][1]))
    monkeypatch.setattr(jlink, "runtime_bytes", lambda report: {
        "alpine": 100 * MB, "jlink": 45 * MB}[report.ref])
    monkeypatch.setattr(jlink, "cache_file", lambda report: {"cache": "/app/app.aot",
                                                             "bytes": 60 * MB})
    monkeypatch.setattr(jlink, "note", lambda what: " (kit stand-in bases)")
    case = {"runtime bytes": 250 * MB, "debuginfo files": 120, "debuginfo bytes": 200 * MB,
            "trap met": True}
    delivery = SimpleNamespace(push_bytes=62 * MB, warm=SimpleNamespace(seconds=75.0))
    starts = [{"variant": "jre", "ready_s": 2.0}, {"variant": "aot", "ready_s": 0.8}]
    shown = jlink.summary(modules=["java.base"] * 11, case=case, levels=LEVELS, starts=starts,
                          delivery=delivery, handpicked_failed=True)
    expected = jlink.render_summary(_figures())
    assert (shown.title, shown.rows, shown.points) == (expected.title, expected.rows,
                                                        expected.points)


# ---------------------------------------------------------------------------- reading files


def test_modules_reads_jdeps_list_and_rejects_anything_else(monkeypatch) -> None:
    listed = "java.base,java.sql,jdk.unsupported\n"
    monkeypatch.setattr(jlink, "read_file", lambda image, path: listed)
    assert jlink.modules("stage") == ["java.base", "java.sql", "jdk.unsupported"]
    monkeypatch.setattr(jlink, "read_file", lambda image, path: "Error: missing dependencies")
    with pytest.raises(ContainerFailed, match="no module list"):
        jlink.modules("stage")


def test_runtime_modules_come_from_the_release_file(monkeypatch) -> None:
    release = 'JAVA_VERSION="25"\nMODULES="java.base java.sql java.logging"\nOS_NAME="Linux"\n'
    monkeypatch.setattr(jlink, "read_file", lambda image, path: release)
    assert jlink.runtime_modules("stage") == ["java.base", "java.logging", "java.sql"]
    monkeypatch.setattr(jlink, "read_file", lambda image, path: 'JAVA_VERSION="25"\n')
    with pytest.raises(ContainerFailed):
        jlink.runtime_modules("stage")


def test_jdeps_roots_counts_plain_and_modular_jars(monkeypatch) -> None:
    roots = "/extracted/application/app.jar\n/extracted/dependencies/lib/a.jar\n" \
            "/extracted/dependencies/lib/b.jar\n"
    listing = "/extracted/dependencies/lib/a.jar\n/extracted/dependencies/lib/b.jar\n" \
              "/extracted/dependencies/lib/m1.jar\n/extracted/dependencies/lib/m2.jar\n" \
              "/extracted/dependencies/lib/m3.jar\n"
    monkeypatch.setattr(jlink, "read_file", lambda image, path: roots)
    monkeypatch.setattr(jlink, "output", lambda image, command: (0, listing))
    assert jlink.jdeps_roots("stage") == {
        "app jar (classes)": 1, "plain library jars (roots)": 2,
        "modular library jars (class path only)": 3, "library jars in all": 5}


# ---------------------------------------------------------------------------- runtimes


def test_java_home_is_the_folder_with_java_beside_the_module_image() -> None:
    assert jlink.java_home(JDK) == "/opt/java"
    with pytest.raises(ContainerFailed, match="no Java runtime"):
        jlink.java_home(_report({"usr/bin/java": 10}))


def test_files_matching_and_bytes_of_use_the_file_name_only() -> None:
    found = jlink.files_matching(JDK, "*.debuginfo", "/opt/java")
    assert [r["path"] for r in found] == ["/opt/java/lib/server/libjvm.debuginfo",
                                          "/opt/java/lib/libnet.debuginfo"]
    assert jlink.bytes_of(JDK, "*.debuginfo") == 153 * MB
    assert jlink.files_matching(JDK, "*.debuginfo", "/app") == []


def test_by_kind_groups_a_runtime_biggest_first() -> None:
    rows = jlink.by_kind(JDK, "/opt/java")
    assert [r["what"] for r in rows] == [
        "debug info (*.debuginfo)", "module image (lib/modules)", "JVM (libjvm.so)",
        "other native libraries (*.so)", "everything else"]
    assert rows[0]["files"] == 2 and rows[0]["bytes"] == 153 * MB
    assert sum(r["bytes"] for r in rows) == JDK.bytes_under("/opt/java")
    assert len(jlink.by_kind(JDK, "/opt/java", n=2)) == 2


def test_debuginfo_case_and_its_verdict() -> None:
    case = jlink.debuginfo_case(JDK)
    assert case["runtime"] == "/opt/java"
    assert case["debuginfo files"] == 2 and case["trap met"]
    assert case["libjvm.so bytes"] == 20 * MB
    assert jlink.verdict_text(case).startswith("**Trap met on this JDK:** 2 `*.debuginfo`")
    small = {**case, "debuginfo bytes": 1 * MB, "trap met": False}
    assert jlink.verdict_text(small).startswith("**Small trap on this JDK:**")
    none = {**small, "debuginfo files": 0, "debuginfo bytes": 0}
    assert jlink.verdict_text(none).startswith("**No trap on this JDK:**")


def test_cache_file_is_the_biggest_match_or_none() -> None:
    assert jlink.cache_file(JDK) == {"cache": "/app/app.aot", "bytes": 60 * MB}
    assert jlink.cache_file(_report({"app/app.jar": 5})) == {"cache": None, "bytes": 0}


# ---------------------------------------------------------------------------- words and rows


def test_change_in_words() -> None:
    assert jlink.change(62, 100) == "38 % smaller"
    assert jlink.change(126, 100) == "26 % bigger"
    assert jlink.change(100.2, 100) == "the same size"


def test_compression_points_compare_each_level_with_the_first() -> None:
    assert jlink.compression_points(LEVELS) == [
        "--compress=zip-6 against zip-0: the runtime is 38 % smaller on disk and "
        "3 % smaller on the wire"]


def test_module_view_names_what_the_hand_missed() -> None:
    shown = jlink.module_view(["java.base", "java.sql", "java.logging"],
                              ["java.base", "java.logging"])
    assert shown.caption.endswith("lacks 1 (java.sql)")
    sql = shown.frame[shown.frame["module"] == "java.sql"].iloc[0]
    assert (sql["jdeps list (runtime)"], sql["typed by hand (runtime)"]) == ("✔", "")


def test_startup_ratio_is_a_ratio_of_medians() -> None:
    starts = [{"variant": "jre", "ready_s": 2.0}, {"variant": "aot", "ready_s": 0.5}]
    assert jlink.startup_ratio(starts, "aot", "jre") == pytest.approx(0.25)


def test_aot_cost_row_prices_the_cache() -> None:
    aot = SimpleNamespace(ref="bookshelf:aot", size_bytes=150_000_000)
    aot.fs = JDK.fs
    jre = SimpleNamespace(ref="bookshelf:jre", size_bytes=90_000_000)
    delivery = SimpleNamespace(new_layers=2, push_bytes=61_440_000,
                               warm=SimpleNamespace(seconds=74.96))
    row = jlink.aot_cost_row(aot, jre, delivery, label="bookshelf:aot (kit stand-in bases)")
    assert row == {"image": "bookshelf:aot (kit stand-in bases)", "AOT cache MB": 60.0,
                   "image MB": 150.0, "bookshelf:jre MB": 90.0,
                   "layers sent per code change": 2, "push per code change MB": 61.4,
                   "rebuild after the change s": 75.0}


# ---------------------------------------------------------------------------- startup


class _Started:
    def __enter__(self) -> SimpleNamespace:
        return SimpleNamespace(summary=lambda: "ready in 1.0 s")

    def __exit__(self, *exc: object) -> None:
        return None


def test_fails_at_startup_says_whether_the_image_started(monkeypatch, capsys) -> None:
    monkeypatch.setattr(workbook, "run", lambda image, timeout: _Started())
    assert jlink.fails_at_startup("bookshelf:jlink-handpicked") is False
    assert "ready in 1.0 s" in capsys.readouterr().out

    def broken(image: str, timeout: float) -> _Started:
        raise ContainerFailed("NoClassDefFoundError: java/sql/Date")

    monkeypatch.setattr(workbook, "run", broken)
    assert jlink.fails_at_startup("bookshelf:jlink-handpicked") is True
    assert "java/sql/Date" in capsys.readouterr().out
