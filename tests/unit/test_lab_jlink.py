"""Lab 04's pure parts, no engine: the summary rendered from data, reading jdeps' and
jlink's files, what a runtime is made of, the verdicts and the tables built from rows."""

from __future__ import annotations

import re
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
        modules=11, jdk_build="Temurin-25.0.3+9 (25.0.3+9-LTS)", jdk_jmods=0,
        jdk_runtime_linking="yes", full_jre_bytes=100 * MB, nostrip_runtime_bytes=60 * MB,
        jlink_runtime_bytes=45 * MB, debian_first_runtime_bytes=250 * MB,
        debian_fixed_runtime_bytes=48 * MB, debuginfo_files=120, debuginfo_bytes=200 * MB,
        trap_met=True, alpine_bytes=200 * MB, alpine_pull_bytes=80 * MB,
        jlink_bytes=90 * MB, jlink_pull_bytes=40 * MB,
        levels=LEVELS, handpicked_failed=True, jre_ready_s=2.0, aot_ready_s=0.8,
        cache_bytes=60 * MB, push_bytes=62 * MB, rebuild_s=75.0,
        writeup_alpine_mb=245, writeup_jlink_mb=127, kit=" (kit stand-in bases)",
        jlink_ready_s=1.9)
    return jlink.SummaryFigures(**{**vars(figures), **changes})


# ---------------------------------------------------------------------------- summary


def test_summary_rows_are_the_templates_filled_with_this_runs_figures() -> None:
    summary = jlink.render_summary(_figures())
    assert summary.title == "Lab 04, measured in this run (kit stand-in bases)"
    whats = [row["what"] for row in summary.rows]
    assert len(whats) == len(jlink.ROWS_BEFORE_LEVELS) + len(LEVELS) + len(
        jlink.ROWS_AFTER_LEVELS)
    assert whats[5:7] == ["runtime with --compress=zip-0: disk / pulled",
                          "runtime with --compress=zip-6: disk / pulled"]
    measured = {row["what"]: row["measured here"] for row in summary.rows}
    assert measured["modules jdeps computed"] == "11"
    assert measured["the Maven image's JDK: build / jmods / links from its run-time image"] == \
        "Temurin-25.0.3+9 (25.0.3+9-LTS) / 0 / yes"
    assert measured["Java runtime: full JRE / jlink without --strip-debug / with it"] == \
        "100 / 60 / 45 MB (kit stand-in bases)"
    debian = "Debian's OpenJDK: runtime as linked → in bookshelf:jlink-debian (*.debuginfo)"
    assert measured[debian] == "250 → 48 MB (120 files, 200 MB) (kit stand-in bases)"
    assert measured["image: bookshelf:alpine → bookshelf:jlink"] == \
        "200 → 90 MB (pull 80 → 40 MB) (kit stand-in bases)"
    assert measured["runtime with --compress=zip-6: disk / pulled"] == "50.0 / 29.0 MB"
    assert measured["hand-typed module list"] == "failed at startup"
    assert measured["time to ready: bookshelf:jre / bookshelf:jlink / bookshelf:aot (medians)"] \
        == "2.00 / 1.90 / 0.80 s (aot: 0.40 × jre)"
    assert measured["AOT cache on disk / bytes pushed per code change (gzip)"] == "60 MB / 62 MB"
    writeup = {row["what"]: row["write-up (its machine)"] for row in summary.rows}
    assert writeup["image: bookshelf:alpine → bookshelf:jlink"] == "245 → 127 MB"
    assert writeup["modules jdeps computed"] == "11"


def test_summary_points_follow_what_was_measured() -> None:
    points = jlink.render_summary(_figures()).points
    assert points[1] == ("The Maven image's JDK (Temurin-25.0.3+9 (25.0.3+9-LTS)) has no jmods "
                         "and its jlink links from its run-time image (JEP 493); with it "
                         "--strip-debug made the runtime 25 % smaller (60 → 45 MB, 0.45 × the "
                         "full JRE).")
    assert points[2] == ("With Debian's OpenJDK, --strip-debug left 120 *.debuginfo files, "
                         "200 MB: its runtime was 2.5 × the full JRE. Deleting them in the jlink "
                         "stage made it 48 MB (0.48 × the JRE).")
    assert points[4] == ("--compress=zip-6 against zip-0: the runtime is 38 % smaller on disk "
                         "and 3 % smaller on the wire: a registry gzips every layer anyway.")
    assert points[-1].startswith("Spring AOT plus the JDK's AOT cache made the start 2.5 × "
                                 "faster")
    assert "(75 s here)" in points[-1] and "(62 MB compressed per change)" in points[-1]


def test_summary_says_when_the_debuginfo_fix_is_not_in_yet() -> None:
    summary = jlink.render_summary(_figures(debian_fixed_runtime_bytes=249 * MB))
    assert "still ships 249 MB of runtime" in summary.points[2]
    assert "not in Dockerfile.debian yet" in summary.points[2]
    assert "Deleting them" not in " ".join(summary.points)


def test_summary_without_the_trap_or_a_second_level_says_so() -> None:
    summary = jlink.render_summary(_figures(
        trap_met=False, levels=LEVELS[:1], handpicked_failed=False, kit="", jdk_jmods=69,
        jdk_runtime_linking="no", debian_first_runtime_bytes=50 * MB))
    assert summary.title == "Lab 04, measured in this run"
    assert summary.points[1].startswith("The Maven image's JDK (Temurin-25.0.3+9 (25.0.3+9-LTS)) "
                                        "has 69 jmods and its jlink links from jmods only;")
    assert summary.points[2] == ("Debian's OpenJDK left no big debug files in this run: its "
                                 "runtime was 50 MB as linked (0.50 × the JRE) and 48 MB in "
                                 "bookshelf:jlink-debian.")
    assert not any(p.startswith("--compress=") for p in summary.points)
    assert len(summary.points) == 6
    assert {"what": "hand-typed module list", "measured here": "started (unexpected)",
            "write-up (its machine)": ""} in summary.rows
    unmeasured = jlink.render_summary(_figures(jlink_ready_s=None)).rows
    assert any(row["measured here"] == "2.00 / not measured / 0.80 s (aot: 0.40 × jre)"
               for row in unmeasured)


def test_summary_reads_its_figures_from_the_images(monkeypatch) -> None:
    sizes = {"alpine": (200 * MB, 80 * MB), "jlink": (90 * MB, 40 * MB),
             "aot": (150 * MB, 60 * MB), "bookshelf:jlink-debian": (100 * MB, 0)}
    monkeypatch.setattr(jlink, "_report", lambda what: SimpleNamespace(
        ref=what, size_bytes=sizes[what][0], pull_bytes=sizes[what][1]))
    monkeypatch.setattr(jlink, "runtime_bytes", lambda report: {
        "alpine": 100 * MB, "jlink": 45 * MB, "bookshelf:jlink-debian": 48 * MB}[report.ref])
    monkeypatch.setattr(jlink, "cache_file", lambda report: {"cache": "/app/app.aot",
                                                             "bytes": 60 * MB})
    monkeypatch.setattr(jlink, "note", lambda what: " (kit stand-in bases)")
    case = {"runtime bytes": 250 * MB, "debuginfo files": 120, "debuginfo bytes": 200 * MB,
            "trap met": True}
    delivery = SimpleNamespace(push_bytes=62 * MB, warm=SimpleNamespace(seconds=75.0))
    starts = [{"variant": "jre", "ready_s": 2.0}, {"variant": "jlink", "ready_s": 1.9},
              {"variant": "aot", "ready_s": 0.8}]
    jdk = {"build": "Temurin-25.0.3+9 (25.0.3+9-LTS)", "jmods": 0,
           "links from its run-time image (JEP 493)": "yes"}
    strip = [{"runtime bytes": 60 * MB}, {"runtime bytes": 45 * MB}]
    shown = jlink.summary(modules=["java.base"] * 11, jdk=jdk, strip=strip, case=case,
                          levels=LEVELS, starts=starts, delivery=delivery,
                          handpicked_failed=True)
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


def test_compression_points_compare_each_level_with_the_first_and_conclude() -> None:
    assert jlink.compression_points(LEVELS) == [
        "--compress=zip-6 against zip-0: the runtime is 38 % smaller on disk and "
        "3 % smaller on the wire",
        "Which to ship: --compress=zip-6. It saved 30.0 MB on disk and cost nothing on the "
        "wire here; the JVM inflates the classes it loads at each start."]
    assert jlink.compression_points(LEVELS[:1]) == []


def test_the_compression_choice_follows_both_columns() -> None:
    plain = {"compress": "zip-0", "runtime disk bytes": 80 * MB, "runtime pull bytes": 30 * MB}
    bigger_on_the_wire = {**plain, "compress": "zip-6", "runtime disk bytes": 50 * MB,
                          "runtime pull bytes": 37 * MB}
    trade = jlink.compression_choice(plain, bigger_on_the_wire)
    assert trade.startswith("Which to ship: it depends on what is scarce.")
    assert "saves 30.0 MB of its disk and costs 7.0 MB more on every pull" in trade
    assert "Ship --compress=zip-0 where images are pulled often" in trade
    assert trade.endswith("--compress=zip-6 where disk space is what runs out.")
    no_saving = {**plain, "compress": "zip-6", "runtime pull bytes": 37 * MB}
    assert jlink.compression_choice(plain, no_saving).startswith(
        "Which to ship: --compress=zip-0. --compress=zip-6 saved no disk here")


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


def test_a_failed_start_shows_the_error_not_the_stack_trace() -> None:
    trace = ["Exception in thread \"main\" java.lang.reflect.InvocationTargetException",
             *[f"\tat org.example.Frame{i}.call(Frame{i}.java:{i})" for i in range(30)],
             "Caused by: java.lang.NoClassDefFoundError: javax/naming/NamingException",
             "\tat org.example.Other.call(Other.java:1)"]
    error = ContainerFailed("bookshelf:jlink-handpicked exited with code 1 before it became "
                            "ready.", log="\n".join(trace),
                            hint="The Java platform class javax.naming.NamingException is "
                                 "missing from this runtime.")
    assert jlink.failure_lines(error) == [
        "bookshelf:jlink-handpicked exited with code 1 before it became ready.",
        "The log says: Caused by: java.lang.NoClassDefFoundError: javax/naming/NamingException",
        "What to do: The Java platform class javax.naming.NamingException is missing from "
        "this runtime."]
    other = ContainerFailed("x exited.", log="starting\nError: bad things\n")
    assert jlink.failure_lines(other) == ["x exited.", "The log says: Error: bad things"]


# ---------------------------------------------------------------------------- the JDKs


TEMURIN_PROBE = """IMPLEMENTOR="Eclipse Adoptium"
IMPLEMENTOR_VERSION="Temurin-25.0.3+9"
JAVA_RUNTIME_VERSION="25.0.3+9-LTS"
JAVA_VERSION="25.0.3"
--- jlink
Usage: jlink <options> --module-path <modulepath> --add-modules <module>[,<module>...]
Capabilities:
      Linking from run-time image enabled
--- objcopy
/usr/bin/objcopy
--- jmods
0
"""


def test_parse_jdk_probe_reads_the_build_capability_objcopy_and_jmods() -> None:
    assert jlink.parse_jdk_probe(TEMURIN_PROBE) == {
        "build": "Temurin-25.0.3+9", "version": "25.0.3+9-LTS", "runtime linking": "yes",
        "objcopy": "/usr/bin/objcopy", "debuginfo in jmods": 0}
    debian = ('IMPLEMENTOR="Debian"\nJAVA_RUNTIME_VERSION="25.0.5+8-Debian"\n--- jlink\n'
              "Capabilities:\n      Linking from run-time image disabled\n--- objcopy\n"
              "missing\n--- jmods\n70\n")
    assert jlink.parse_jdk_probe(debian) == {
        "build": "Debian", "version": "25.0.5+8-Debian", "runtime linking": "no",
        "objcopy": "missing", "debuginfo in jmods": 70}
    old = jlink.parse_jdk_probe('JAVA_VERSION="21.0.2"\n--- jlink\nUsage: jlink\n')
    assert (old["runtime linking"], old["version"], old["debuginfo in jmods"]) == \
        ("not said", "21.0.2", 0)


def test_jdk_home_is_the_folder_whose_jlink_is_real() -> None:
    stage = _report({"opt/java/openjdk/bin/java": 10, "opt/java/openjdk/bin/jlink": 10,
                     "opt/java/openjdk/lib/modules": 100 * MB,
                     "opt/java/openjdk/jmods/java.base.jmod": 20 * MB,
                     "runtime/bin/java": 10, "runtime/lib/modules": 30 * MB})
    assert jlink.jdk_home(stage) == "/opt/java/openjdk"
    with pytest.raises(ContainerFailed, match="no JDK"):
        jlink.jdk_home(_report({"runtime/bin/java": 10, "runtime/lib/modules": 1}))


def test_jdk_facts_joins_the_image_files_and_the_probe(monkeypatch) -> None:
    stage = _report({"opt/java/openjdk/bin/jlink": 10, "opt/java/openjdk/lib/modules": 100 * MB},
                    ref="bookshelf:jlink-stage")
    monkeypatch.setattr(jlink, "inspect", lambda ref: stage)
    monkeypatch.setattr(jlink, "output", lambda image, command: (0, TEMURIN_PROBE))
    facts = jlink.jdk_facts("bookshelf:jlink-stage", "the Maven image's JDK")
    assert facts == {"JDK": "the Maven image's JDK",
                     "build": "Temurin-25.0.3+9 (25.0.3+9-LTS)", "JDK home": "/opt/java/openjdk",
                     "jmods": 0, "jmods MB": 0.0, "*.debuginfo files in its jmods": 0,
                     "*.debuginfo files in its folders": 0,
                     "links from its run-time image (JEP 493)": "yes",
                     "objcopy (for --strip-debug)": "/usr/bin/objcopy"}


# ---------------------------------------------------------------------------- --strip-debug


def test_strip_rows_and_points_compare_without_and_with() -> None:
    without = _report({"opt/java/bin/java": 1, "opt/java/lib/modules": 50 * MB,
                       "opt/java/lib/server/libjvm.so": 20 * MB}, ref="bookshelf:jlink-nostrip")
    with_ = _report({"opt/java/bin/java": 1, "opt/java/lib/modules": 40 * MB,
                     "opt/java/lib/server/libjvm.so": 20 * MB}, ref="bookshelf:jlink")

    def sized(report: ImageReport, size: int) -> SimpleNamespace:
        return SimpleNamespace(ref=report.ref, fs=report.fs, bytes_under=report.bytes_under,
                               size_bytes=size)

    rows = [jlink.strip_row(sized(without, 100 * MB), "without --strip-debug"),  # type: ignore[arg-type]
            jlink.strip_row(sized(with_, 90 * MB), "with --strip-debug")]  # type: ignore[arg-type]
    assert rows[0] == {"jlink": "without --strip-debug", "tag": "bookshelf:jlink-nostrip",
                       "runtime bytes": 70 * MB + 1, "module image bytes": 50 * MB,
                       "native library bytes": 20 * MB, "image bytes": 100 * MB}
    assert jlink.strip_points(rows) == [
        "the runtime: 14 % smaller with --strip-debug (70.0 → 60.0 MB)",
        "its module image (lib/modules): 20 % smaller with --strip-debug (50.0 → 40.0 MB)",
        "its native libraries: the same size with --strip-debug (20.0 → 20.0 MB)"]


# ---------------------------------------------------------------------------- Debian's trap


def test_a_stage_runtime_is_measured_under_its_own_folder(monkeypatch) -> None:
    stage = _report({"usr/lib/jvm/jdk/bin/java": 1, "usr/lib/jvm/jdk/bin/jlink": 1,
                     "usr/lib/jvm/jdk/lib/modules": 100 * MB,
                     "runtime/bin/java": 1, "runtime/lib/modules": 30 * MB,
                     "runtime/lib/server/libjvm.so": 20 * MB,
                     "runtime/lib/server/libjvm.debuginfo": 150 * MB})
    monkeypatch.setattr(jlink, "_report", lambda what: stage)
    case = jlink.debian_case("bookshelf:jlink-debian-stage")
    assert case["runtime"] == "/runtime" and case["trap met"]
    assert case["runtime bytes"] == 200 * MB + 1
    share = jlink.pattern_share("bookshelf:jlink-debian-stage", "*.debuginfo")
    assert share == {"pattern": "*.debuginfo", "under": "/runtime", "files": 1, "MB": 150.0,
                     "runtime MB": 200.0, "share of the runtime %": 75.0,
                     "matches files every JVM start loads": "no",
                     "share of the runtime no JVM start loads %": 75.0}
    so = jlink.pattern_share("bookshelf:jlink-debian-stage", "*.so")
    assert (so["share of the runtime %"], so["matches files every JVM start loads"],
            so[jlink.UNLOADED_SHARE]) == (10.0, "libjvm.so", 0.0)  # what runs, not bloat
    for everything in ("*", "*.so", "modules"):
        assert jlink.pattern_share("bookshelf:jlink-debian-stage",
                                   everything)[jlink.UNLOADED_SHARE] == 0
    assert jlink.bytes_of(stage, "*.so", "/runtime") == 20 * MB


def test_startup_text_quotes_the_measured_ratio() -> None:
    starts = [{"variant": "jre", "ready_s": 2.5}, {"variant": "aot", "ready_s": 0.8}]
    assert jlink.startup_text(starts) == ("bookshelf:aot was ready in 0.80 s, bookshelf:jre in "
                                          "2.50 s (medians): 3.1 × faster in this run.")
    slower = [{"variant": "jre", "ready_s": 2.0}, {"variant": "aot", "ready_s": 2.5}]
    assert jlink.startup_text(slower).endswith("1.2 × slower in this run.")
    assert "not both measured" in jlink.startup_text([{"variant": "jre", "ready_s": None},
                                                      {"variant": "aot", "ready_s": 0.8}])


# ---------------------------------------------------------------------------- one call per cell


@pytest.fixture
def kit_note(monkeypatch) -> str:
    """Every caption's note says kit stand-in bases (no engine to resolve them)."""
    monkeypatch.setattr(jlink, "note", lambda what: " (kit stand-in bases)")
    return " (kit stand-in bases)"


def test_computed_modules_are_listed_and_returned(monkeypatch, capsys) -> None:
    monkeypatch.setattr(jlink, "read_file", lambda image, path: "java.base,java.sql\n")
    assert jlink.computed_modules("stage") == ["java.base", "java.sql"]
    assert capsys.readouterr().out == "jdeps computed 2 modules: java.base, java.sql\n"


def test_the_roots_table_is_one_row_of_jdeps_roots(monkeypatch) -> None:
    monkeypatch.setattr(jlink, "jdeps_roots", lambda image: {"app jar (classes)": 1,
                                                             "library jars in all": 5})
    shown = jlink.roots_view("stage")
    assert shown.caption == "What jdeps read"
    assert shown.frame.to_dict("records") == [{"app jar (classes)": 1, "library jars in all": 5}]


def test_the_jdk_table_says_one_jdk_or_several(kit_note) -> None:
    one = jlink.jdk_view({"JDK": "the Maven image's JDK"})
    assert one.caption == "The JDK in the jlink stage, measured in this run" + kit_note
    two = jlink.jdk_view({"JDK": "a"}, {"JDK": "b"})
    assert two.caption.startswith("The JDKs that link this lab's runtimes")
    assert list(two.frame["JDK"]) == ["a", "b"]


def test_points_read_as_a_markdown_list() -> None:
    notes = jlink.compression_notes(LEVELS)
    assert notes.data.splitlines() == ["- " + point
                                       for point in jlink.compression_points(LEVELS)]
    assert notes.data.startswith("- --compress=zip-6 against zip-0: the runtime is 38 % "
                                 "smaller on disk and 3 % smaller on the wire\n- Which to ship")
    rows = [{"runtime bytes": 70 * MB, "module image bytes": 50 * MB,
             "native library bytes": 20 * MB},
            {"runtime bytes": 60 * MB, "module image bytes": 40 * MB,
             "native library bytes": 20 * MB}]
    assert jlink.strip_notes(rows).data.splitlines() == [
        "- " + point for point in jlink.strip_points(rows)]


def test_the_trials_removed_are_the_stages_and_measuring_builds_only(monkeypatch) -> None:
    strip = [{"tag": "bookshelf:jlink-nostrip"}, {"tag": "bookshelf:jlink"}]
    tags = jlink.trial_tags(strip, LEVELS)
    assert tags == ["bookshelf:jlink-stage", "bookshelf:jlink-debian-stage",
                    "bookshelf:jlink-handpicked-stage", "bookshelf:jlink-nostrip",
                    "bookshelf:jlink-zip-0"]
    assert "bookshelf:jlink" not in tags and jlink.DEBIAN_TAG not in tags
    present = {"bookshelf:jlink-stage", "bookshelf:jlink-zip-0", "bookshelf:jlink"}
    removed: list[str] = []
    monkeypatch.setattr(jlink.engine, "image_exists", lambda tag: tag in present)
    monkeypatch.setattr(jlink.engine, "remove_image", removed.append)
    assert jlink.remove_trials(strip, LEVELS) == 2
    assert removed == ["bookshelf:jlink-stage", "bookshelf:jlink-zip-0"]


@pytest.mark.parametrize(("build", "name", "tag", "target"), [
    (jlink.build_stage, "Dockerfile", "bookshelf:jlink-stage", "jlink"),
    (jlink.build_debian_stage, "Dockerfile.debian", "bookshelf:jlink-debian-stage", "linked"),
    (jlink.build_debian, "Dockerfile.debian", "bookshelf:jlink-debian", None),
    (jlink.build_handpicked, "Dockerfile.handpicked", "bookshelf:jlink-handpicked", None)])
def test_the_extra_images_build_from_the_labs_dockerfiles_unrecorded(
        monkeypatch, tmp_path, build, name: str, tag: str, target: str | None) -> None:
    from slimlab import config

    monkeypatch.setattr(config, "workbook_root", lambda: tmp_path)
    seen: list[tuple] = []
    monkeypatch.setattr(workbook, "build", lambda path, **kw: seen.append((path, kw)))
    assert build() == tag
    (path, kwargs), = seen
    assert path == tmp_path / "labs" / "04-jlink" / name
    assert kwargs == {"target": target, "tag": tag, "lab": "04-jlink", "record": False}


def test_lab_03s_images_are_ensured_then_measured(monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(workbook, "ensure", lambda name: calls.append(f"ensure {name}")
                        or f"bookshelf:{name}")
    monkeypatch.setattr(workbook, "measure", lambda name: calls.append(f"measure {name}"))
    assert jlink.ensure_measured(["jre", "alpine"]) == ["bookshelf:jre", "bookshelf:alpine"]
    assert calls == ["ensure jre", "ensure alpine", "measure jre", "measure alpine"]


def test_the_hand_typed_stage_is_the_images_tag_plus_stage(monkeypatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(workbook, "build", lambda path, **kw: built.append(kw["tag"]))
    monkeypatch.setattr(jlink, "runtime_modules", lambda stage: {
        "bookshelf:jlink-stage": ["java.base", "java.sql"],
        "bookshelf:jlink-handpicked-stage": ["java.base"]}[stage])
    shown = jlink.handpicked_modules("bookshelf:jlink-stage")
    assert built == ["bookshelf:jlink-handpicked-stage"]
    assert shown.caption.endswith("lacks 1 (java.sql)")


def test_the_runtime_comparisons_name_their_images(monkeypatch) -> None:
    seen: list[dict] = []
    monkeypatch.setattr(jlink, "runtimes", seen.append)
    jlink.jlink_vs_jre()
    jlink.debian_as_linked("bookshelf:jlink-debian-stage")
    jlink.debian_fixed("bookshelf:jlink-debian-stage", "bookshelf:jlink-debian")
    assert seen[0] == {"full JRE (lab 03, alpine)": "alpine", "jlink runtime": "jlink"}
    assert seen[1]["jlink, Debian's OpenJDK (stage, as linked)"] == (
        "bookshelf:jlink-debian-stage", "/runtime")
    assert seen[2] == {"full JRE (lab 03, alpine)": "alpine",
                       "Debian's OpenJDK, as linked": ("bookshelf:jlink-debian-stage",
                                                       "/runtime"),
                       "Debian's OpenJDK, in bookshelf:jlink-debian": "bookshelf:jlink-debian"}


def test_ratios_are_the_runtime_and_the_image_over_the_baseline(monkeypatch) -> None:
    images = {"jlink": SimpleNamespace(ref="jlink", size_bytes=90 * MB),
              "alpine": SimpleNamespace(ref="alpine", size_bytes=200 * MB)}
    monkeypatch.setattr(jlink, "_report", images.__getitem__)
    monkeypatch.setattr(jlink, "runtime_bytes", lambda report: {"jlink": 45 * MB,
                                                                "alpine": 100 * MB}[report.ref])
    assert jlink.ratios("jlink", "alpine") == jlink.Ratios(runtime=0.45, image=0.45)


def test_the_final_image_names_its_first_leftovers(monkeypatch) -> None:
    from slimlab import views

    monkeypatch.setattr(jlink, "tag_of", lambda what: f"bookshelf:{what}")
    monkeypatch.setattr(views, "non_root", lambda what: True)
    monkeypatch.setattr(views, "leftovers", lambda what: ["/bin/sh", "/a", "/b", "/c"])
    final = jlink.final_image("jlink")
    assert (final.tag, final.non_root, len(final.leftovers)) == ("bookshelf:jlink", True, 4)
    assert final.found == "/bin/sh, /a, /b"
    assert jlink.FinalImage("x", False, ()).found == "nothing"


def test_startup_speedup_and_views(monkeypatch, kit_note) -> None:
    starts = [{"variant": "jre", "ready_s": 2.0}, {"variant": "aot", "ready_s": 0.5}]
    assert jlink.speedup(starts, "aot", "jre") == pytest.approx(4.0)
    assert jlink.startup_view(starts).caption == "Time to ready, measured in this run" + kit_note
    monkeypatch.setattr(jlink, "tag_of", lambda what: f"bookshelf:{what}")
    evidence = {"image": "aot", "Spring ran AOT-processed code": True}
    assert jlink.aot_evidence_view(evidence).caption == \
        "One start of bookshelf:aot, read from its log" + kit_note


def test_the_compression_plot_says_when_its_bases_are_kit(kit_note) -> None:
    (ax,) = jlink.plot_compression(LEVELS).axes
    assert ax.get_title() == "The jlink runtime per --compress level" + kit_note
    assert [t.get_text() for t in ax.get_xticklabels()] == ["--compress=zip-0",
                                                            "--compress=zip-6"]


# ---------------------------------------------------------------------------- finding the bloat


def test_endings_group_by_the_name_alone_and_name_no_kind() -> None:
    assert [jlink.ending(n) for n in ("libjvm.so", "libjvm.debuginfo", "modules", ".hidden",
                                      "a.b.c")] == [".so", ".debuginfo", jlink.NO_ENDING,
                                                    jlink.NO_ENDING, ".c"]
    rows = jlink.by_ending(JDK, "/opt/java")
    assert [(r["ending"], r["files"], r["bytes"]) for r in rows] == [
        (".debuginfo", 2, 153 * MB), (jlink.NO_ENDING, 3, 40 * MB + 11_000),
        (".so", 2, 21 * MB)]
    assert rows[0]["largest file"] == "/opt/java/lib/server/libjvm.debuginfo"
    assert rows[1]["largest file"] == "/opt/java/lib/modules"
    assert sum(r["bytes"] for r in rows) == JDK.bytes_under("/opt/java")


def test_the_endings_table_has_no_words_about_what_the_files_are(monkeypatch,
                                                                  kit_note) -> None:
    monkeypatch.setattr(jlink, "_report", lambda what: JDK)
    shown = jlink.endings("stage", under="/opt/java")
    assert list(shown.frame.columns) == ["ending", "files", "MB", "share %", "largest file"]
    assert shown.caption == ("The files of /opt/java in bookshelf:x, grouped by the ending of "
                             "their names" + kit_note)
    words = " ".join([shown.caption, *shown.frame.columns]).lower()
    assert "debug" not in words


def test_the_jdk_table_keeps_the_debug_counts_for_after_the_exercise(kit_note) -> None:
    row = {"JDK": "Debian's OpenJDK", "build": "Debian (25)", "jmods": 70, "jmods MB": 90.0,
           "*.debuginfo files in its jmods": 70, "*.debuginfo files in its folders": 0}
    before = jlink.jdk_view(row)
    assert "debuginfo" not in " ".join(before.frame.columns)
    after = jlink.jmods_view(row)
    assert after.frame.to_dict("records") == [
        {"JDK": "Debian's OpenJDK", "jmods": 70, "jmods MB": 90.0,
         "*.debuginfo files in its jmods": 70, "*.debuginfo files in its folders": 0}]


def test_the_full_jre_is_shown_alone_before_the_prediction(monkeypatch) -> None:
    seen: list[dict] = []
    monkeypatch.setattr(jlink, "runtimes", seen.append)
    jlink.full_jre()
    assert seen == [{"full JRE (lab 03, alpine)": "alpine"}]


# ---------------------------------------------------------------------------- a cache it cannot use


def test_the_cache_path_is_read_from_the_images_command() -> None:
    config = {"Entrypoint": ["java", "-XX:AOTCache=app.aot", "-jar", "bookshelf.jar"],
              "Cmd": None, "WorkingDir": "/app"}
    assert jlink.cache_path(config) == "/app/app.aot"
    assert jlink.cache_path({**config, "Entrypoint": ["java", "-jar", "x.jar"],
                             "Env": ["JAVA_TOOL_OPTIONS=-XX:AOTCache=/opt/c.aot"]}) == "/opt/c.aot"
    assert jlink.cache_path({"Entrypoint": ["java", "-jar", "x.jar"]}) == "/app/app.aot"


def test_a_refused_cache_is_an_exit_that_names_the_cache(capsys) -> None:
    log = ("[0.010s][error  ][aot] Unable to map shared spaces\n"
           "Error occurred during initialization of VM\nUnable to use AOT cache.\n")
    refused = jlink.unusable_cache_facts("bookshelf:aot", "/app/app.aot", 1, False, log)
    assert refused["refused"] and refused["outcome"] == "refused to start"
    assert refused["the JVM said"] == "Unable to use AOT cache."
    assert capsys.readouterr().out == (
        "bookshelf:aot, its /app/app.aot replaced by a file that is no AOT cache: refused to "
        "start (exit 1: Unable to use AOT cache.).\n")
    ran = jlink.unusable_cache_facts("bookshelf:aot", "/app/app.aot", None, True,
                                     "Started BookshelfApplication in 3.3 seconds")
    assert (ran["refused"], ran["outcome"]) == (False, "started without its cache")
    other = jlink.unusable_cache_facts("bookshelf:aot", "/app/app.aot", 1, False,
                                       "Unable to access jarfile bookshelf.jar")
    assert (other["refused"], other["outcome"]) == (False, "exited with 1, not about the cache")


# ---------------------------------------------------------------------------- the lab itself


def _notebook_before(name: str) -> tuple[list[str], list[str]]:
    """(markdown, code) of lab 04's cells before the checkpoint ``name``, code as the
    attendee edition shows it."""
    import nbformat
    from slimlab import config, edition

    path = config.repo_root() / "labs" / "04-jlink" / "04-jlink.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    first = next(i for i, c in enumerate(cells) if f'"{name}"' in c.source)
    markdown = [c.source for c in cells[:first] if c.cell_type == "markdown"]
    code = [edition.strip_solutions(c.source)[0] for c in cells[:first + 1]
            if c.cell_type == "code"]
    return markdown, code


ANSWER_WORDS = ("debuginfo", "debug info", "debug file")


def test_nothing_before_the_pattern_exercise_names_the_answer() -> None:
    """The learner finds the bloat in the runtime's files: no prose, code, table label or
    Dockerfile line they meet before the checkpoint says what it is."""
    from slimlab import config, edition
    from slimlab.hints import EXERCISES

    name, = EXERCISES["bloat-pattern"].checkpoints
    markdown, code = _notebook_before(name)
    for text in (*markdown, *code):
        assert not any(word in text.lower() for word in ANSWER_WORDS), text
    lab = config.repo_root() / "labs" / "04-jlink"
    for dockerfile in lab.glob("Dockerfile*"):
        shown, _ = edition.strip_solutions(dockerfile.read_text(encoding="utf-8"))
        assert "debuginfo" not in dockerfile.name
        assert not any(word in shown.lower() for word in ANSWER_WORDS), dockerfile.name


def test_the_aot_prediction_comes_before_anything_shows_the_aot_start() -> None:
    import nbformat
    from slimlab import config

    path = config.repo_root() / "labs" / "04-jlink" / "04-jlink.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    predict = next(i for i, s in enumerate(code) if 'sl.predict(LAB, "AOT cache speed-up"' in s)
    starts_aot = re.compile(r'sl\.(build|measure|startup|delivery)\(.*"aot"|aot_evidence|'
                            r'unusable_cache')
    first = next(i for i, s in enumerate(code) if starts_aot.search(s))
    assert 'sl.build("aot")' in code[first] and predict < first


def test_the_kinds_table_names_each_group_in_mb(monkeypatch, kit_note) -> None:
    monkeypatch.setattr(jlink, "_report", lambda what: JDK)
    shown = jlink.kinds("stage", under="/opt/java")
    assert list(shown.frame.columns) == ["what", "files", "MB", "share %"]
    assert shown.frame.iloc[0]["what"] == "debug info (*.debuginfo)"
