"""Scoreboard, plots, economics view and recommendation from measurement dicts (no engine)."""

from __future__ import annotations

import math
import re

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure
from slimlab import config, progress, report
from slimlab.report import WRITEUP, WRITEUP_SIZE_COLUMN

ARTICLE = config.repo_root().parent / "shared" / "writeup" / "000_fefc88074a28910a.txt"


def sample() -> dict[str, dict]:
    """Given out of order on purpose, with an extra variant and an unmeasured one."""
    return {
        "native": {"variant": "native", "not_measured_reason": "no GraalVM on this machine"},
        "custom": {"size_bytes": 90e6, "base_source": "upstream"},
        "jlink": {
            "size_bytes": 95e6,
            "pull_bytes": 40e6,
            "base_source": "kit",
            "ready_s": 4.0,
            "ready_min_s": 3.8,
            "ready_max_s": 4.4,
            "memory_mib": 200,
        },
        "basic": {
            "tag": "bookshelf:basic",
            "size_bytes": 512_345_678,
            "pull_bytes": 200e6,
            "base_source": "kit",
            "layers": 12,
            "build_cold_s": 101.26,
            "ready_s": 6.1,
            "ready_min_s": 5.9,
            "ready_max_s": 6.5,
            "memory_mib": 300.04,
            "shell": True,
            "compiler": "javac",
            "setuid_files": ["/usr/bin/su", "/usr/bin/passwd"],
            "user": "root",
            "packages": 140,
        },
        "aot": {"size_bytes": 300e6, "ready_s": 1.5, "base_source": "mixed", "memory_mib": 250},
    }


# ---------------------------------------------------------------------------- the write-up


def test_writeup_figures_are_the_articles():
    assert {n: v["size_mb"] for n, v in WRITEUP.items()} == {
        "basic": 775,
        "multi": 484,
        "jre": 327,
        "alpine": 245,
        "jlink": 127,
        "native": 137,
    }
    assert WRITEUP["native"]["startup_s"] == 0.1
    assert "aot" not in WRITEUP  # Slimlab's own stage, never given write-up figures


@pytest.mark.skipif(not ARTICLE.exists(), reason="the write-up is not checked out beside main")
def test_writeup_figures_match_the_article_text():
    text = ARTICLE.read_text(encoding="utf-8")
    table = dict(re.findall(r"`bookshelf:(\w+)`\**\s*\|\s*\*\*(\d+)MB\*\*", text))
    assert {n: int(mb) for n, mb in table.items()} == {n: v["size_mb"] for n, v in WRITEUP.items()}


# ---------------------------------------------------------------------------- scoreboard


def test_scoreboard_order_units_and_marks():
    board = report.scoreboard(sample())
    assert list(board.index) == ["basic", "jlink", "aot", "native", "custom"]
    basic = board.loc["basic"]
    assert basic["size MB"] == 512.3
    assert basic["pull MB"] == 200.0
    assert basic["build cold s"] == 101.3
    assert basic["ready range s"] == "5.90–6.50"
    assert basic["memory MiB"] == 300.0
    assert basic["shell"] == "yes"
    assert basic["compiler"] == "javac"
    assert basic["setuid files"] == 2
    assert basic["tag"] == "bookshelf:basic"
    assert board["base images"].tolist() == [
        "kit stand-in",
        "kit stand-in",
        "kit stand-in (mixed)",
        "",
        "upstream",
    ]
    assert board.loc["jlink", WRITEUP_SIZE_COLUMN] == 127.0
    assert math.isnan(board.loc["aot", WRITEUP_SIZE_COLUMN])
    assert math.isnan(board.loc["custom", "pull MB"])


def test_scoreboard_not_measured_rows_stay_visible():
    board = report.scoreboard(sample())
    assert board.loc["native", "note"] == "not measured here: no GraalVM on this machine"
    assert board.loc["native", WRITEUP_SIZE_COLUMN] == 137.0
    assert math.isnan(board.loc["native", "size MB"])
    assert board.loc["basic", "note"] == ""


def test_scoreboard_numeric_columns_stay_numeric_when_empty():
    board = report.scoreboard({"basic": {}})
    for column in report.NUMERIC_SCOREBOARD_COLUMNS:
        if column not in report.OPTIONAL_SCOREBOARD_COLUMNS:
            assert board[column].dtype == "float64", column
    assert list(board.columns) == [c for c in report.SCOREBOARD_COLUMNS
                                   if c not in report.OPTIONAL_SCOREBOARD_COLUMNS]
    assert report.scoreboard({}).empty


def realistic() -> dict[str, dict]:
    """What labs 01-05 record on a machine without GraalVM (a kit run, trimmed): lab 02's
    deliveries build warm (cold=False), so no row has a cold build time."""
    common = {"base_source": "kit", "shell": True, "package_manager": True, "compiler": False,
              "setuid_files": 8, "user": "10001:10001", "packages": 88, "layers": 8}
    started = {"ready_min_s": 9.0, "ready_max_s": 30.0, "spring_s": 13.0, "stop_s": 0.4}
    return {
        "basic": {**common, **started, "tag": "bookshelf:basic", "size_bytes": 890.8e6,
                  "pull_bytes": 629.5e6, "compiler": True, "user": "root", "ready_s": 16.6,
                  "memory_mib": 320.9, "build_s": 61.0},
        "multi": {**common, **started, "tag": "bookshelf:multi", "size_bytes": 475.4e6,
                  "pull_bytes": 231.7e6, "first_pull_bytes": 233.4e6, "ready_s": 20.8,
                  "memory_mib": 321.9, "build_warm_s": 15.7, "push_bytes_per_change": 54.4e6},
        "jre": {**common, **started, "tag": "bookshelf:jre", "size_bytes": 391.7e6,
                "pull_bytes": 168.7e6, "ready_s": 15.7, "memory_mib": 292.5},
        "alpine": {**common, **started, "tag": "bookshelf:alpine", "size_bytes": 325.2e6,
                   "pull_bytes": 143.1e6, "ready_s": 29.5, "memory_mib": 297.7,
                   "shell": False, "package_manager": False, "setuid_files": 0},
        "jlink": {**common, "tag": "bookshelf:jlink", "size_bytes": 135.8e6,
                  "pull_bytes": 98.7e6, "shell": False, "package_manager": False,
                  "setuid_files": 0, "user": "65532:65532"},
        "aot": {**common, **started, "tag": "bookshelf:aot", "size_bytes": 502.8e6,
                "pull_bytes": 195.7e6, "ready_s": 4.9, "memory_mib": 271.5,
                "build_warm_s": 70.4, "push_bytes_per_change": 27.0e6},
        "native": {"tag": "bookshelf:native", "not_measured_reason": "no GraalVM builder"},
        "layered": {**common, "tag": "bookshelf:layered", "size_bytes": 770.3e6,
                    "pull_bytes": 525.2e6, "first_pull_bytes": 233.2e6,
                    "build_warm_s": 16.3, "push_bytes_per_change": 52_830},
    }


def test_no_scoreboard_column_is_entirely_blank():
    board = report.scoreboard(realistic())
    blank = [c for c in board.columns
             if board[c].isna().all() or (board[c].astype(str).str.strip() == "").all()]
    assert blank == []
    assert "build cold s" not in board.columns


def test_a_cold_build_time_brings_its_column_back():
    measured = realistic()
    measured["basic"]["build_cold_s"] = 101.26
    board = report.scoreboard(measured)
    assert board.loc["basic", "build cold s"] == 101.3
    assert list(board.columns) == list(report.SCOREBOARD_COLUMNS)


def test_pull_size_prefers_the_registrys_count_and_says_which():
    board = report.scoreboard(realistic())
    assert board.loc["multi", "pull MB"] == 233.4  # first_pull_bytes, not the 231.7 estimate
    assert board.loc["multi", "pull MB from"] == report.PULL_FROM_REGISTRY
    assert board.loc["jre", "pull MB"] == 168.7
    assert board.loc["jre", "pull MB from"] == report.PULL_FROM_ESTIMATE
    assert board.loc["native", "pull MB from"] == ""
    assert "gzip" in report.PULL_FROM_ESTIMATE


def test_scoreboard_custom_order():
    board = report.scoreboard(sample(), order=("jlink", "basic"))
    assert list(board.index)[:2] == ["jlink", "basic"]


def partly_measured() -> dict[str, dict]:
    """Lab 05 on a machine where only some figures exist: most columns have none at all."""
    return {
        "basic": {"tag": "bookshelf:basic", "size_bytes": 890.8e6, "layers": 12,
                  "setuid_files": 8, "packages": 94, "base_source": "kit"},
        "jre": {"tag": "bookshelf:jre", "size_bytes": 391.7e6, "layers": 8, "setuid_files": 0,
                "packages": 88, "base_source": "kit"},
        "native": {"tag": "bookshelf:native", "not_measured_reason": "no GraalVM builder"},
    }


def test_the_scoreboard_shows_blanks_never_nan_and_no_column_nobody_measured():
    board = report.scoreboard(partly_measured())
    for text in (board._repr_html_(), repr(board)):
        assert "NaN" not in text and "nan" not in text
        for unmeasured in ("ready s", "memory MiB", "push per change MB", "shell", "user"):
            assert unmeasured not in text, unmeasured
        assert "size MB" in text and "note" in text and WRITEUP_SIZE_COLUMN in text
    shown, _ = report.shown(board)
    assert "ready s" not in shown.columns and "packages" in shown.columns
    assert math.isnan(board.loc["basic", "ready s"])  # the data keeps every column


def test_counts_show_as_whole_numbers():
    board = report.scoreboard(partly_measured())
    html = board._repr_html_()
    for whole in (">12<", ">8<", ">94<", ">88<", ">0<", ">775<", ">327<"):
        assert whole in html, whole
    for fraction in (">8.0<", ">94.0<", ">12.0<", ">775.0<"):
        assert fraction not in html, fraction
    assert ">890.8<" in html
    assert board.loc["basic", "setuid files"] == 8  # still a number to compute with


def test_a_labs_view_of_the_scoreboard_shows_the_same_way():
    """Lab 03's surface table is a slice of the scoreboard: it renders like the board."""
    surface = report.scoreboard(partly_measured())[["setuid files", "packages", "shell"]]
    text = repr(surface)
    assert "8.0" not in text and "NaN" not in text and "shell" not in text
    assert text.splitlines()[2].split() == ["basic", "8", "94"]


def test_the_compiler_column_names_what_was_found():
    measured = {"jdk": {"compiler": True, "compilers": ["/opt/java/openjdk/bin/javac"]},
                "jre": {"compiler": False, "compilers": []},
                "old": {"compiler": True}}  # recorded before the paths were
    board = report.scoreboard(measured)
    assert board["compiler"].to_dict() == {"jre": "no", "jdk": "javac", "old": "yes"}


# ---------------------------------------------------------------------------- plots


def bar_containers(ax) -> list:
    """Bar groups only (error bars are containers too, without patches)."""
    from matplotlib.container import BarContainer

    return [c for c in ax.containers if isinstance(c, BarContainer)]


def bar_count(ax) -> int:
    return sum(len(container.patches) for container in bar_containers(ax))


def test_plot_sizes_bars_and_labels():
    measurements = sample()
    figure = report.plot_sizes(measurements)
    assert isinstance(figure, Figure)
    (ax,) = figure.axes
    disk = sum(1 for m in measurements.values() if "size_bytes" in m)  # 4
    pull = sum(1 for m in measurements.values() if "pull_bytes" in m)  # 2
    writeup = sum(1 for n in measurements if n in WRITEUP)  # basic, jlink, native
    assert bar_count(ax) == disk + pull + writeup == 9
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == writeup
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("write-up" in label for label in labels)
    assert "kit stand-in" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == list(
        report.ordered_variants(measurements)
    )


def test_plot_titles_only_mention_kit_when_kit_was_used():
    upstream = {"basic": {"size_bytes": 1e8, "ready_s": 5, "base_source": "upstream"}}
    assert "kit" not in report.plot_sizes(upstream).axes[0].get_title()
    assert "kit" not in report.plot_startup(upstream).get_suptitle()
    kit = {"basic": {"size_bytes": 1e8, "base_source": "kit"}}
    assert (
        report.plot_sizes(kit).axes[0].get_title().endswith("measured on kit stand-in base images")
    )
    partly = {**kit, "jre": {"size_bytes": 1e8, "base_source": "upstream"}}
    assert (
        report.plot_sizes(partly).axes[0].get_title().endswith("kit stand-in base images for basic")
    )


def test_plot_sizes_with_nothing_measured():
    (ax,) = report.plot_sizes({}).axes
    assert bar_count(ax) == 0


def test_plot_startup_bars_whiskers_and_writeup():
    measurements = sample()
    figure = report.plot_startup(measurements)
    ready_ax, memory_ax = figure.axes
    bars = bar_containers(ready_ax)
    measured = [c for c in bars if not any(p.get_hatch() for p in c.patches)]
    writeup = [c for c in bars if any(p.get_hatch() for p in c.patches)]
    assert sum(len(c.patches) for c in measured) == 3  # basic, jlink, aot have ready_s
    assert sum(len(c.patches) for c in writeup) == 1  # the write-up's native ~0.1 s
    assert measured[0].errorbar is not None
    segments = measured[0].errorbar.lines[2][0].get_segments()
    assert [tuple(round(y, 2) for y in (s[0][1], s[1][1])) for s in segments] == [
        (5.9, 6.5),
        (3.8, 4.4),
        (1.5, 1.5),  # aot has no min/max: no whisker length
    ]
    assert bar_count(memory_ax) == 3
    assert "kit stand-in" in figure.get_suptitle()


def test_plot_startup_without_startup_figures():
    figure = report.plot_startup({"basic": {"size_bytes": 1}})
    assert all(bar_count(ax) == 0 for ax in figure.axes)


def test_plot_layers_bars_and_shares():
    rows = [
        {"instruction": "FROM eclipse-temurin:25-jre", "size_bytes": 60_000_000},
        {"instruction": "COPY --from=build   /app/lib /app/lib", "size_bytes": 30_000_000},
        {"instruction": "COPY app.jar " + "x" * 100, "size_bytes": 10_000_000},
        {"instruction": "ENTRYPOINT", "size_bytes": 0},
    ]
    figure = report.plot_layers(rows, "jre layers")
    (ax,) = figure.axes
    assert bar_count(ax) == 4
    assert ax.get_title() == "jre layers"
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["60.0 MB (60 %)", "30.0 MB (30 %)", "10.0 MB (10 %)", "0.0 MB (0 %)"]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[1] == "COPY --from=build /app/lib /app/lib"
    assert len(ticks[2]) == 60 and ticks[2].endswith("…")


def test_plot_layers_empty():
    (ax,) = report.plot_layers([], "none").axes
    assert bar_count(ax) == 0


# ---------------------------------------------------------------------------- economics


def test_economics_view_uses_measured_pull_sizes_in_order():
    view = report.economics_view(sample())
    assert list(view.index) == ["basic", "jlink", "aot", "native", "custom", "per code change"]
    egress = next(c for c in view.columns if c.startswith("egress"))
    assert "100/day" in egress and "$0.09/GB" in egress
    assert view.loc["basic", egress] == pytest.approx(54.0)  # 200 MB × 3000 × $0.09
    assert view.loc["basic", "size from"] == "pull size, estimate (gzip -6)"
    assert view.loc["aot", "size from"] == "disk size (no pull size measured)"
    assert view.loc["native", "note"].startswith("not measured here")
    assert math.isnan(view.loc["native", egress])


def test_economics_view_prices_a_code_change_apart_from_the_whole_image():
    view = report.economics_view(realistic())
    change = "multi · one code change"
    assert list(view.index)[-3:] == [change, "aot · one code change",
                                     "layered · one code change"]
    assert view.loc["multi", "size MB"] == 233.4  # the registry's count is priced first
    assert view.loc["multi", "size from"] == "pull size, registry's count (push)"
    assert view.loc[change, "size MB"] == 54.4
    assert view.loc[change, "push or pull s at 100 Mbps"] == 4.4
    assert math.isnan(view.loc[change, "cold start s (pull + start)"])  # a new node pulls all
    egress = next(c for c in view.columns if c.startswith("egress"))
    assert view.loc[change, egress] == pytest.approx(14.69, abs=0.01)  # 54.4 MB × 3000 × $0.09
    storage = "registry GB (100 versions)"
    assert view.loc[change, storage] == pytest.approx(5.6, abs=0.05)  # 233.4 MB + 99 × 54.4 MB
    assert view.loc["multi", storage] == pytest.approx(23.3, abs=0.05)  # the upper bound
    assert view.loc[change, "note"].startswith("only the changed layers travel")


def test_economics_view_says_to_run_lab_02_without_a_change_measured():
    view = report.economics_view({"basic": {"pull_bytes": 847e6}})
    assert list(view.index) == ["basic", "per code change"]
    assert math.isnan(view.loc["per code change", "size MB"])
    assert view.loc["per code change", "note"].startswith("run lab 02")


def test_economics_view_parameters_change_the_figures():
    measurements = {"basic": {"pull_bytes": 847e6}}
    default = report.economics_view(measurements)
    assert default.loc["basic", "push or pull s at 100 Mbps"] == 67.8
    assert default.loc["basic", "registry GB (100 versions)"] == 84.7
    faster = report.economics_view(measurements, mbps=1000, versions=10)
    assert faster.loc["basic", "push or pull s at 1000 Mbps"] == 6.8
    assert faster.loc["basic", "registry GB (10 versions)"] == 8.5


def test_economics_widget_prints_without_a_front_end(monkeypatch, capsys):
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    assert report.economics_widget({"basic": {"pull_bytes": 847e6}}) is None
    out = capsys.readouterr().out
    assert "228.69" in out and "basic" in out


def shown_in_a_kernel(monkeypatch) -> list[tuple[object, dict]]:
    """What ``economics_widget`` hands to IPython's display in a kernel, call by call."""
    import IPython.display

    shown: list[tuple[object, dict]] = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    report.economics_widget({"basic": {"pull_bytes": 847e6}})
    return shown


def test_economics_widget_sliders_reprice(monkeypatch):
    (_, _), (box, _) = shown_in_a_kernel(monkeypatch)
    *sliders, repriced = box.children
    assert len(sliders) == 4 and repriced.value == ""  # the defaults' table is its own output
    deploys = next(s for s in sliders if "deploys" in s.description)
    deploys.value = 10
    assert "22.87" in repriced.value and "228.69" not in repriced.value
    assert report.REPRICED_CAPTION in repriced.value


def test_a_saved_notebook_shows_the_economics_table_without_the_widget(monkeypatch):
    """A saved notebook, nbconvert or a headless kernel keep no widget state: the table at
    the write-up's defaults is an output of its own, not a part of the widget."""
    (table, kwargs), (box, _) = shown_in_a_kernel(monkeypatch)
    assert kwargs == {"raw": True}
    assert "228.69" in table["text/html"] and "228.69" in table["text/plain"]
    assert "at 100 Mbps" in table["text/plain"] and "NaN" not in table["text/plain"]
    assert box._repr_mimebundle_()["text/plain"] == report.SLIDERS_TEXT  # not VBox(children=…


# ---------------------------------------------------------------------------- recommendation


def test_recommendation_is_computed_from_the_numbers():
    text = report.recommendation(sample())
    assert "Smallest to deliver: jlink, 40.0 MB to pull, 80 % less than basic (200.0 MB)" in text
    assert "saves $43.20 a month" in text  # (200 - 40) MB × 3000 × $0.09
    assert "Fastest to be ready: aot, 1.50 s (median), 4.1× faster than basic" in text
    assert "No single winner on these kit stand-in figures: jlink is the smallest" in text
    assert "jlink serves first" in text
    assert "here jlink is smallest as well." in text
    assert "Caveat: basic, jlink and aot were built on kit stand-in" in text
    assert "no pull size was measured for aot and custom" in text
    assert "Not measured here: native (no GraalVM on this machine)" in text


def test_recommendation_changes_when_the_numbers_change():
    measurements = sample()
    before = report.recommendation(measurements)
    measurements["custom"].update(pull_bytes=10e6, ready_s=0.5)
    after = report.recommendation(measurements)
    assert after != before
    assert "Smallest to deliver: custom, 10.0 MB to pull, 95 % less than basic" in after
    assert "custom is both the smallest and the fastest here" in after
    assert "no pull size was measured for aot;" in after


def test_recommendation_without_basic_compares_with_the_largest():
    text = report.recommendation(
        {"jre": {"pull_bytes": 300e6, "ready_s": 6}, "aot": {"pull_bytes": 100e6, "ready_s": 3}}
    )
    assert "67 % less than jre, the largest measured" in text
    assert "2.0× faster than jre, the slowest measured" in text
    assert "kit stand-in" not in text


def lab_03() -> dict[str, dict]:
    """What lab 03 measured for a first-time attendee on the kit: four JVM stages, alpine's
    median 1.6× below basic's on a busy machine; jlink, aot and native not built yet."""
    stages = ("basic", "multi", "jre", "alpine")
    measured = {n: dict(m) for n, m in realistic().items() if n in stages}
    measured["alpine"]["ready_s"] = 10.2
    return measured


def test_recommendation_names_only_the_variants_measured():
    text = report.recommendation(lab_03())
    for absent in ("jlink", "aot", "native", "layered"):
        assert absent not in text, absent
    assert "the write-up found alpine smallest (245 MB) on its machine" in text


def test_a_slimmer_base_is_no_reason_to_start_faster():
    """The same JVM runs the same jar: a gap between JVM images is the machine's load."""
    text = report.recommendation(lab_03())
    assert "Fastest to be ready" not in text and "faster than basic" not in text
    assert "ship it" not in text and "both the smallest and the fastest" not in text
    assert "the machine's load rather than the image" in text
    assert 'sl.startup(["basic", "multi", "jre", "alpine"])' in text
    close = lab_03()
    for name, seconds in zip(close, (16.6, 15.0, 14.9, 13.5), strict=True):
        close[name]["ready_s"] = seconds
    assert "Time to ready is about the same here: 13.5 s to 16.6 s" in \
        report.recommendation(close)


def test_a_start_faster_by_design_is_a_reason():
    measured = {**lab_03(), "aot": {**realistic()["aot"]}}
    text = report.recommendation(measured)
    assert "Fastest to be ready: aot, 4.90 s (median), 3.4× faster than basic" in text
    measured["aot"]["ready_s"] = 13.0  # 1.28×: within the noise
    assert "Fastest to be ready" not in report.recommendation(measured)


def test_a_variant_without_a_startup_figure_is_named_with_the_call_that_adds_it():
    measured = {**lab_03(), "jlink": realistic()["jlink"]}
    text = report.recommendation(measured)
    assert ('No startup has been measured for jlink, so it is left out of the startup '
            'figures above (time to ready, pull and start together): time it with '
            'sl.startup(["jlink"]) to add it.') in text.split("\n\n")


def test_kit_figures_are_described_never_shipped():
    native = {"pull_bytes": 50e6, "ready_s": 0.1, "base_source": "kit"}
    measured = {"basic": {"pull_bytes": 600e6, "ready_s": 10.0, "base_source": "kit"},
                "native": native}
    text = report.recommendation(measured)
    assert "ship it" not in text
    assert ("On these kit stand-in figures, native is both the smallest and the fastest of the "
            "variants measured here.") in text
    measured["native"] = {**native, "base_source": "upstream"}
    measured["basic"]["base_source"] = "upstream"
    assert "native is both the smallest and the fastest here: ship it." in \
        report.recommendation(measured)


def test_recommendation_edge_cases():
    assert report.recommendation({}).startswith("Nothing has been measured yet")
    only = report.recommendation({"basic": {"size_bytes": 5e8}})
    assert "Only basic has a measured size" in only
    assert "No startup has been measured yet" in only
    worse = report.recommendation({"basic": {"pull_bytes": 1e8}, "jre": {"pull_bytes": 2e8}})
    assert "basic itself" in worse
    skipped = report.recommendation({"aot": {"not_measured_reason": "JDK 25 missing"}})
    assert "the write-up has no figures for it either" in skipped


# The closing text as it reads today, pinned paragraph by paragraph over representative
# measurements, so rewording or reordering it is a deliberate change, never a side effect.
def recommendation_cases() -> dict[str, dict]:
    return {
        "sample": sample(),
        "nothing": {},
        "one size, no startup": {"basic": {"size_bytes": 5e8}},
        "one startup, no size": {"jre": {"ready_s": 12.5}},
        "startups, no sizes": {"basic": {"ready_s": 6.0}, "jlink": {"ready_s": 3.0}},
        "one size, two startups": {
            "basic": {"size_bytes": 4e8, "ready_s": 5},
            "jre": {"ready_s": 2.5},
        },
        "basic not beaten": {
            "basic": {"pull_bytes": 1e8, "ready_s": 2.0},
            "jre": {"pull_bytes": 2e8, "ready_s": 4.0},
        },
        "no basic": {
            "jre": {"pull_bytes": 300e6, "ready_s": 3},
            "jlink": {"pull_bytes": 100e6, "ready_s": 6},
        },
        "tie": {
            "jlink": {"pull_bytes": 1e8, "ready_s": 3},
            "jre": {"pull_bytes": 1e8, "ready_s": 3},
        },
        "one winner, zero start": {
            "basic": {"pull_bytes": 2e8, "ready_s": 5.0, "base_source": "mixed"},
            "native": {"pull_bytes": 5e7, "ready_s": 0.0},
        },
        "only skipped": {
            "aot": {"not_measured_reason": "JDK 25 missing"},
            "native": {"not_measured_reason": "no GraalVM"},
        },
        "one kit variant": {
            "alpine": {"size_bytes": 2.45e8, "base_source": "kit"},
            "basic": {"pull_bytes": 7.75e8, "base_source": "upstream", "ready_s": float("nan")},
        },
        "odd values": {
            "basic": {"pull_bytes": float("nan"), "size_bytes": True, "ready_s": "4.5"},
            "custom": {"pull_bytes": "2e7", "ready_s": 20, "base_source": "kit"},
            "aot": {"size_bytes": 1e8, "ready_s": 1, "not_measured_reason": "  "},
        },
        "lab 03 on the kit": lab_03(),
        "lab 05 on the kit": realistic(),
    }


EXPECTED_RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "sample": (
        (
            "Smallest to deliver: jlink, 40.0 MB to pull, 80 % less than basic (200.0 MB). At the "
            "write-up's 100 Mbps a push or pull takes 3.20 s instead of 16.0 s, and at 100 "
            "deploys a day it saves $43.20 a month in egress."
        ),
        (
            "Fastest to be ready: aot, 1.50 s (median), 4.1× faster than basic (6.10 s), 4.60 s "
            "sooner."
        ),
        (
            "No single winner on these kit stand-in figures: jlink is the smallest to deliver "
            "(pull time, egress, registry storage), aot the fastest to start (scale-out)."
        ),
        (
            "Counting pull and start together (a new node at 100 Mbps), jlink serves first: 7.20 "
            "s."
        ),
        (
            "No startup has been measured for custom, so it is left out of the startup figures "
            'above (time to ready, pull and start together): time it with sl.startup(["custom"]) '
            "to add it."
        ),
        (
            "Of the variants measured here, the write-up found jlink smallest (127 MB) on its "
            "machine; here jlink is smallest as well."
        ),
        (
            "Caveat: basic, jlink and aot were built on kit stand-in base images, so the "
            "megabytes differ from upstream images and from the write-up's; compare the ratios "
            "between variants, not the absolute sizes."
        ),
        (
            "Caveat: no pull size was measured for aot and custom; the on-disk size stands in, "
            "which overstates what travels (layers are compressed on the wire)."
        ),
        (
            "Not measured here: native (no GraalVM on this machine), so it is left out of this "
            "comparison; only the write-up's figures speak for it."
        ),
    ),
    "nothing": (
        "Nothing has been measured yet: run the labs' measurement cells, then ask again.",
    ),
    "one size, no startup": (
        (
            "Only basic has a measured size so far (500.0 MB); measure more variants to compare "
            "them."
        ),
        (
            "No startup has been measured yet, so speed is not part of this advice: time it with "
            'sl.startup(["basic"]).'
        ),
        (
            "Caveat: no pull size was measured for basic; the on-disk size stands in, which "
            "overstates what travels (layers are compressed on the wire)."
        ),
    ),
    "one startup, no size": (
        "Only jre has a measured startup so far (12.5 s).",
    ),
    "startups, no sizes": (
        (
            "Time to ready ranges from 3.00 s (jlink) to 6.00 s (basic) here (medians). A slimmer "
            "base image or Java runtime does not make the same JVM start the same jar faster, so "
            "a gap like this is the machine's load rather than the image: time them again "
            'together (sl.startup(["basic", "jlink"])) before counting on it.'
        ),
    ),
    "one size, two startups": (
        (
            "Only basic has a measured size so far (400.0 MB); measure more variants to compare "
            "them."
        ),
        (
            "Time to ready ranges from 2.50 s (jre) to 5.00 s (basic) here (medians). A slimmer "
            "base image or Java runtime does not make the same JVM start the same jar faster, so "
            "a gap like this is the machine's load rather than the image: time them again "
            'together (sl.startup(["basic", "jre"])) before counting on it.'
        ),
        (
            "Caveat: no pull size was measured for basic; the on-disk size stands in, which "
            "overstates what travels (layers are compressed on the wire)."
        ),
    ),
    "basic not beaten": (
        (
            "Smallest to deliver: basic itself (100.0 MB); none of the slimmer variants came out "
            "smaller here, so check their builds."
        ),
        (
            "Time to ready ranges from 2.00 s (basic) to 4.00 s (jre) here (medians). A slimmer "
            "base image or Java runtime does not make the same JVM start the same jar faster, so "
            "a gap like this is the machine's load rather than the image: time them again "
            'together (sl.startup(["basic", "jre"])) before counting on it.'
        ),
        (
            "Counting pull and start together (a new node at 100 Mbps), basic serves first: 10.0 "
            "s."
        ),
        (
            "Of the variants measured here, the write-up found jre smallest (327 MB) on its "
            "machine; here basic is smallest instead."
        ),
    ),
    "no basic": (
        (
            "Smallest to deliver: jlink, 100.0 MB to pull, 67 % less than jre, the largest "
            "measured (300.0 MB). At the write-up's 100 Mbps a push or pull takes 8.00 s instead "
            "of 24.0 s, and at 100 deploys a day it saves $54.00 a month in egress."
        ),
        (
            "Time to ready ranges from 3.00 s (jre) to 6.00 s (jlink) here (medians). A slimmer "
            "base image or Java runtime does not make the same JVM start the same jar faster, so "
            "a gap like this is the machine's load rather than the image: time them again "
            'together (sl.startup(["jre", "jlink"])) before counting on it.'
        ),
        (
            "Counting pull and start together (a new node at 100 Mbps), jlink serves first: 14.0 "
            "s."
        ),
        (
            "Of the variants measured here, the write-up found jlink smallest (127 MB) on its "
            "machine; here jlink is smallest as well."
        ),
    ),
    "tie": (
        (
            "Smallest to deliver: jre itself (100.0 MB); none of the slimmer variants came out "
            "smaller here, so check their builds."
        ),
        (
            "Time to ready is about the same here: 3.00 s to 3.00 s (medians), less than 1.3× "
            "apart, which a busy machine varies from run to run; startup does not decide between "
            "these variants."
        ),
        "Counting pull and start together (a new node at 100 Mbps), jre serves first: 11.0 s.",
        (
            "Of the variants measured here, the write-up found jlink smallest (127 MB) on its "
            "machine; here jre is smallest instead."
        ),
    ),
    "one winner, zero start": (
        (
            "Smallest to deliver: native, 50.0 MB to pull, 75 % less than basic (200.0 MB). At "
            "the write-up's 100 Mbps a push or pull takes 4.00 s instead of 16.0 s, and at 100 "
            "deploys a day it saves $40.50 a month in egress."
        ),
        (
            "Fastest to be ready: native, 0.00 s (median), inf× faster than basic (5.00 s), 5.00 "
            "s sooner."
        ),
        "native is both the smallest and the fastest here: ship it.",
        (
            "Counting pull and start together (a new node at 100 Mbps), native serves first: 4.00 "
            "s."
        ),
        (
            "Of the variants measured here, the write-up found native smallest (137 MB) and "
            "native fastest (~0.1 s) on its machine; here native is smallest as well and native "
            "is fastest as well."
        ),
        (
            "Caveat: basic was built on kit stand-in base images, so the megabytes differ from "
            "upstream images and from the write-up's; compare the ratios between variants, not "
            "the absolute sizes."
        ),
    ),
    "only skipped": (
        "Nothing has been measured yet: run the labs' measurement cells, then ask again.",
        (
            "Not measured here: aot (JDK 25 missing), so it is left out of this comparison; the "
            "write-up has no figures for it either."
        ),
        (
            "Not measured here: native (no GraalVM), so it is left out of this comparison; only "
            "the write-up's figures speak for it."
        ),
    ),
    "one kit variant": (
        (
            "Smallest to deliver: alpine, 245.0 MB to pull, 68 % less than basic (775.0 MB). At "
            "the write-up's 100 Mbps a push or pull takes 19.6 s instead of 62.0 s, and at 100 "
            "deploys a day it saves $143.10 a month in egress."
        ),
        (
            "No startup has been measured yet, so speed is not part of this advice: time them "
            'with sl.startup(["basic", "alpine"]).'
        ),
        (
            "Of the variants measured here, the write-up found alpine smallest (245 MB) on its "
            "machine; here alpine is smallest as well."
        ),
        (
            "Caveat: alpine was built on kit stand-in base images, so the megabytes differ from "
            "upstream images and from the write-up's; compare the ratios between variants, not "
            "the absolute sizes."
        ),
        (
            "Caveat: no pull size was measured for alpine; the on-disk size stands in, which "
            "overstates what travels (layers are compressed on the wire)."
        ),
    ),
    "odd values": (
        (
            "Smallest to deliver: custom, 20.0 MB to pull, 80 % less than aot, the largest "
            "measured (100.0 MB). At the write-up's 100 Mbps a push or pull takes 1.60 s instead "
            "of 8.00 s, and at 100 deploys a day it saves $21.60 a month in egress."
        ),
        (
            "Fastest to be ready: aot, 1.00 s (median), 4.5× faster than basic (4.50 s), 3.50 s "
            "sooner."
        ),
        (
            "No single winner on these kit stand-in figures: custom is the smallest to deliver "
            "(pull time, egress, registry storage), aot the fastest to start (scale-out)."
        ),
        "Counting pull and start together (a new node at 100 Mbps), aot serves first: 9.00 s.",
        (
            "Caveat: custom was built on kit stand-in base images, so the megabytes differ from "
            "upstream images and from the write-up's; compare the ratios between variants, not "
            "the absolute sizes."
        ),
        (
            "Caveat: no pull size was measured for aot; the on-disk size stands in, which "
            "overstates what travels (layers are compressed on the wire)."
        ),
    ),
    "lab 03 on the kit": (
        (
            "Smallest to deliver: alpine, 143.1 MB to pull, 77 % less than basic (629.5 MB). At "
            "the write-up's 100 Mbps a push or pull takes 11.4 s instead of 50.4 s, and at 100 "
            "deploys a day it saves $131.33 a month in egress."
        ),
        (
            "Time to ready ranges from 10.2 s (alpine) to 20.8 s (multi) here (medians). A "
            "slimmer base image or Java runtime does not make the same JVM start the same jar "
            "faster, so a gap like this is the machine's load rather than the image: time them "
            'again together (sl.startup(["basic", "multi", "jre", "alpine"])) before counting on '
            "it."
        ),
        (
            "Counting pull and start together (a new node at 100 Mbps), alpine serves first: 21.6 "
            "s."
        ),
        (
            "Of the variants measured here, the write-up found alpine smallest (245 MB) on its "
            "machine; here alpine is smallest as well."
        ),
        (
            "Caveat: basic, multi, jre and alpine were built on kit stand-in base images, so the "
            "megabytes differ from upstream images and from the write-up's; compare the ratios "
            "between variants, not the absolute sizes."
        ),
    ),
    "lab 05 on the kit": (
        (
            "Smallest to deliver: jlink, 98.7 MB to pull, 84 % less than basic (629.5 MB). At the "
            "write-up's 100 Mbps a push or pull takes 7.90 s instead of 50.4 s, and at 100 "
            "deploys a day it saves $143.32 a month in egress."
        ),
        (
            "Fastest to be ready: aot, 4.90 s (median), 3.4× faster than basic (16.6 s), 11.7 s "
            "sooner."
        ),
        (
            "No single winner on these kit stand-in figures: jlink is the smallest to deliver "
            "(pull time, egress, registry storage), aot the fastest to start (scale-out)."
        ),
        "Counting pull and start together (a new node at 100 Mbps), aot serves first: 20.6 s.",
        (
            "No startup has been measured for jlink and layered, so they are left out of the "
            "startup figures above (time to ready, pull and start together): time them with "
            'sl.startup(["jlink", "layered"]) to add them.'
        ),
        (
            "Of the variants measured here, the write-up found jlink smallest (127 MB) on its "
            "machine; here jlink is smallest as well."
        ),
        (
            "Caveat: basic, multi, jre, alpine, jlink, aot and layered were built on kit stand-in "
            "base images, so the megabytes differ from upstream images and from the write-up's; "
            "compare the ratios between variants, not the absolute sizes."
        ),
        (
            "Not measured here: native (no GraalVM builder), so it is left out of this "
            "comparison; only the write-up's figures speak for it."
        ),
    ),
}


def test_every_recommendation_case_is_pinned():
    assert set(recommendation_cases()) == set(EXPECTED_RECOMMENDATIONS)


@pytest.mark.parametrize("case", sorted(EXPECTED_RECOMMENDATIONS))
def test_recommendation_text_is_pinned(case):
    text = report.recommendation(recommendation_cases()[case])
    assert text.split("\n\n") == list(EXPECTED_RECOMMENDATIONS[case])


def test_the_startup_legends_cover_no_bar_and_no_label():
    """The memory legend sat over the tallest bars and their labels ("327", "325"): both
    legends now sit below their axes, and every label fits inside its axes."""
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    measured = {"jre": {"ready_s": 15.7, "ready_min_s": 14.0, "ready_max_s": 16.0,
                        "memory_mib": 327.0},
                "aot": {"ready_s": 4.9, "ready_min_s": 4.5, "ready_max_s": 5.3,
                        "memory_mib": 325.0},
                "native": {"not_measured_reason": "no GraalVM builder"}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = report.plot_startup(measured)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
    renderer = canvas.get_renderer()
    for ax in figure.axes:
        legend = ax.get_legend().get_window_extent(renderer)
        inside = ax.get_window_extent(renderer)
        labels = [t for t in ax.texts if t.get_text() in ("15.70", "4.90", "0.1", "327", "325")]
        assert len(labels) >= 2
        for label in labels:
            extent = label.get_window_extent(renderer)
            assert not legend.overlaps(extent), label.get_text()
            assert extent.y1 <= inside.y1, label.get_text()
        for bar in ax.patches:
            assert not legend.overlaps(bar.get_window_extent(renderer))


def test_the_size_legend_fits_a_figure_of_two_variants():
    """Three long legend entries side by side did not fit: constrained layout warned and
    cut the legend off."""
    import io
    import warnings

    measured = {"basic": {"size_bytes": 9e8, "pull_bytes": 3e8},
                "multi": {"size_bytes": 5e8, "pull_bytes": 2e8}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report.plot_sizes(measured).savefig(io.BytesIO(), format="png")
