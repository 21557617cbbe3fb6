"""Lab 05's pure parts, no engine: the preflight's verdicts from the engine's figures, the
skip that records why, the scoreboard's rows, the smallest JVM and the closing points."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slimlab import checkpoints, config, engine, workbook
from slimlab.errors import BaseImageMissing
from slimlab.kit import bases
from slimlab.labs import native
from slimlab.report import WRITEUP

GIB = 2**30
BUILDER = bases.BY_ARG[native.BUILDER_ARG].upstream


def _preflight(memory_gib: float = 16.0, cpus: int = 8, reason: str = "") -> native.Preflight:
    return native.Preflight(BUILDER, "missing" if reason else "upstream", reason, cpus,
                            memory_gib)


# ---------------------------------------------------------------------------- preflight


@pytest.mark.parametrize(("memory", "verdict"), [
    (16.0, "enough"), (6.0, "tight: 8 GiB or more is comfortable"),
    (2.0, "too little: native-image needs 4 GiB or more")])
def test_memory_verdicts(memory: float, verdict: str) -> None:
    assert _preflight(memory).memory_text().startswith(f"{memory:.1f} GiB ({verdict}")


def test_the_time_estimate_scales_with_cores_and_never_drops_below_two_minutes() -> None:
    assert _preflight(cpus=1).minutes == (15, 30)
    assert _preflight(cpus=4).minutes == (4, 8)
    assert _preflight(cpus=64).minutes == (2, 2)
    assert _preflight(cpus=0).minutes == (15, 30)  # an engine that reports no CPUs


def test_the_plan_says_what_will_happen() -> None:
    assert _preflight().plan().startswith("the native build runs below")
    assert _preflight(memory_gib=2.0).plan() == \
        "the native build is skipped: the engine has too little memory."
    missing = _preflight(reason="no builder.")
    assert not missing.available
    assert missing.plan() == ("the native build and its checkpoints are skipped: no builder. "
                              "Everything else in this lab runs.")


def test_the_preflight_renders_as_text_and_escaped_html() -> None:
    pre = _preflight(reason="<none>")
    assert [k for k, _ in pre.rows()] == ["builder image", "builder here",
                                          "engine memory (total)", "engine CPUs",
                                          "expected build time", "what happens"]
    assert str(pre).splitlines()[1].split() == ["builder", "here", "not", "available"]
    assert "&lt;none&gt;" in pre._repr_html_()


def test_preflight_reads_the_engine_and_resolves_without_pulling(monkeypatch) -> None:
    monkeypatch.setattr(engine, "info", lambda: {"NCPU": 4, "MemTotal": 8 * GIB})
    monkeypatch.setattr(bases, "resolve", lambda arg, profile=None: bases.Resolved(
        arg, "ghcr.io/graalvm/native-image-community:25", "upstream"))
    pre = native.preflight("upstream")
    assert (pre.available, pre.memory_ok, pre.cpus, pre.memory_gib) == (True, True, 4, 8.0)
    assert pre.builder == "ghcr.io/graalvm/native-image-community:25"


def test_a_missing_builder_on_the_kit_profile_says_why(monkeypatch) -> None:
    def missing(arg: str, profile: str | None = None) -> bases.Resolved:
        raise BaseImageMissing("not here", hint="run make lab")

    monkeypatch.setattr(engine, "info", lambda: {})
    monkeypatch.setattr(bases, "resolve", missing)
    pre = native.preflight("kit")
    assert (pre.source, pre.builder, pre.cpus, pre.memory_gib) == ("missing", BUILDER, 1, 0.0)
    assert "the kit has no stand-in" in pre.reason
    assert native.preflight("upstream").reason == "not here run make lab"


def test_a_skipped_native_build_is_recorded_with_its_reason(monkeypatch, capsys) -> None:
    recorded: list[tuple] = []
    monkeypatch.setattr(checkpoints, "record_measurement",
                        lambda lab, name, figures: recorded.append((lab, name, figures)))
    monkeypatch.setattr(workbook, "build", lambda *a, **k: pytest.fail("must not build"))
    assert native.build_native(_preflight(reason="no GraalVM here.")) is None
    (lab, name, figures), = recorded
    assert (lab, name, figures["tag"]) == ("05-native", "native", "bookshelf:native")
    assert figures["not_measured_reason"].startswith("no GraalVM builder image here")
    assert "Why: no GraalVM here." in capsys.readouterr().out

    recorded.clear()
    native.build_native(_preflight(memory_gib=2.0))
    assert recorded[0][2]["not_measured_reason"] == "the engine has 2.0 GiB of memory, too little"


def test_an_available_builder_builds_and_clears_an_old_skip(monkeypatch) -> None:
    recorded: list[dict] = []
    monkeypatch.setattr(checkpoints, "record_measurement",
                        lambda lab, name, figures: recorded.append(figures))
    monkeypatch.setattr(workbook, "build", lambda what, **kwargs: f"built {what.name}")
    assert native.build_native(_preflight()) == "built native"
    assert recorded == [{"not_measured_reason": ""}]


# ---------------------------------------------------------------------------- scoreboard


MEASURED = {
    "basic": {"size_bytes": 775_000_000, "pull_bytes": 300_000_000, "base_source": "kit"},
    "jre": {"size_bytes": 200_000_000, "pull_bytes": 80_000_000, "base_source": "kit"},
    "alpine": {"size_bytes": 150_000_000, "pull_bytes": 80_000_000, "base_source": "kit"},
    "jlink": {"size_bytes": 90_000_000, "pull_bytes": 35_000_000, "base_source": "upstream",
              "ready_s": 1.5},
    "aot": {"tag": "bookshelf:aot"},  # a build record only: the image was removed since
    "native": {"not_measured_reason": "no GraalVM builder image here"},
}


def test_the_board_keeps_rows_with_a_figure_or_a_reason() -> None:
    assert sorted(native.on_the_board(MEASURED)) == ["alpine", "basic", "jlink", "jre", "native"]


def test_the_smallest_jvm_is_by_pull_size_then_disk_size(monkeypatch) -> None:
    monkeypatch.setattr(engine, "image_exists", lambda tag: True)
    best = native.smallest_jvm(MEASURED)
    assert best is not None
    assert (best["variant"], best["size_mb"], best["pull_mb"]) == ("jlink", 90.0, 35.0)
    tie = {k: MEASURED[k] for k in ("jre", "alpine")}
    assert native.smallest_jvm(tie)["variant"] == "alpine"


def test_an_image_removed_since_cannot_win(monkeypatch) -> None:
    monkeypatch.setattr(engine, "image_exists", lambda tag: tag != "bookshelf:jlink")
    assert native.smallest_jvm(MEASURED)["variant"] == "alpine"
    assert native.smallest_jvm(MEASURED, present_only=False)["variant"] == "jlink"
    monkeypatch.setattr(engine, "image_exists", lambda tag: False)
    assert native.smallest_jvm(MEASURED) is None


def test_key_points_quote_ours_and_the_writeups_figures_apart(monkeypatch) -> None:
    monkeypatch.setattr(engine, "image_exists", lambda tag: True)
    lines = native.key_points(MEASURED).splitlines()
    assert lines[0] == ("- Smallest JVM image here: bookshelf:jlink, 90.0 MB on disk and "
                        "35.0 MB to pull (estimate: each layer gzip-compressed at level 6).")
    assert lines[1].startswith("- Native: not measured here (no GraalVM builder image here); "
                               f"the write-up's native image was {WRITEUP['native']['size_mb']} MB")
    ours = {"native": {"size_bytes": 137_000_000, "ready_s": 0.084}}
    assert native.key_points(ours).splitlines() == [
        "- No JVM variant has been measured on this machine yet: run lab 03.",
        "- Native here: 137.0 MB on disk, ready in 0.08 s (median); the write-up's native "
        f"image was {WRITEUP['native']['size_mb']} MB and started in "
        f"{WRITEUP['native']['startup']} on its author's machine."]


def test_key_points_count_what_spring_aot_generated(monkeypatch) -> None:
    monkeypatch.setattr(engine, "image_exists", lambda tag: True)
    aot = SimpleNamespace(counts=lambda: {"generated Java sources": 152, "generated classes": 40},
                          metadata_libraries=lambda: ["a:b:1", "c:d:2"])
    last = native.key_points({}, aot).splitlines()[-1]
    assert last.startswith("- Spring AOT here: 152 generated sources, 40 generated classes, "
                           "and reachability metadata for 2 libraries")


def test_measure_existing_measures_present_images_and_names_the_rest(monkeypatch) -> None:
    present = {"bookshelf:basic", "bookshelf:alpine"}
    measured: list[str] = []
    monkeypatch.setattr(engine, "image_exists", lambda tag: tag in present)
    monkeypatch.setattr(workbook, "measure", lambda v: measured.append(v.name))
    monkeypatch.setattr(checkpoints, "load_measurements", lambda: MEASURED)
    inventory = native.measure_existing()
    assert measured == inventory.measured == ["basic", "alpine"]
    assert inventory.skipped == {"native": "no GraalVM builder image here"}
    assert "native" not in inventory.never_built and "jlink" in inventory.never_built
    assert str(inventory).splitlines()[1] == \
        "not measured here: native (no GraalVM builder image here)"


def test_the_final_table_keeps_the_deciding_columns() -> None:
    table = native.final_table(native.on_the_board(MEASURED))
    assert list(table.columns) == native.FINAL_COLUMNS
    assert table.loc["native", "note"] == "not measured here: no GraalVM builder image here"
    assert table.loc["jlink", "size MB"] == pytest.approx(90.0)


def test_the_aot_dockerfile_is_under_the_workbook(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(config, "workbook_root", lambda: tmp_path)
    seen = {}
    monkeypatch.setattr(workbook, "build", lambda path, **kw: seen.update(path=path, **kw))
    aot = native.spring_aot(quiet=True)
    assert seen["path"] == tmp_path / native.AOT_DOCKERFILE
    assert (seen["tag"], seen["lab"], seen["record"]) == (native.AOT_TAG, "05-native", False)
    assert aot.tag == native.AOT_TAG


def test_the_write_ups_errors_stand_beside_this_runs_figures() -> None:
    measured = {
        "basic": {"size_bytes": 890.8e6, "memory_mib": 320.9},
        "alpine": {"size_bytes": 325.2e6, "pull_bytes": 143.1e6, "memory_mib": 297.7,
                   "base_source": "kit"},
        "jlink": {"size_bytes": 135.8e6},
        "multi": {"push_bytes_per_change": 54.4e6, "memory_mib": 321.9},
        "native": {"not_measured_reason": "no GraalVM builder image here"},
    }
    table = native.writeup_errata(measured).frame.set_index("where")
    assert list(table.index) == ["stage 4 (Alpine)", "conclusions", "section 4 against stage 1",
                                 "section 4 (egress, storage)"]
    alpine = table.loc["stage 4 (Alpine)"]
    assert "핵심 커널" in alpine["the write-up says"]
    assert "no kernel" in alpine["what is precise"]
    assert alpine["this run"].startswith("bookshelf:alpine here: 325.2 MB on disk, 143.1 MB "
                                         "to pull (estimate (gzip -6))")
    density = table.loc["conclusions"]
    assert "6배" in density["the write-up says"] and "6.1" in density["what is precise"]
    assert "basic 321 MiB, multi 322 MiB, alpine 298 MiB" in density["this run"]
    assert "multi needs 1.08× the memory of alpine" in density["this run"]
    assert "basic is 6.6× jlink on disk" in density["this run"]
    sizes = table.loc["section 4 against stage 1"]
    assert all(f in sizes["the write-up says"] for f in ("847MB", "775MB", "770MB"))
    assert sizes["this run"] == "bookshelf:basic here: 890.8 MB on disk"
    assert table.loc["section 4 (egress, storage)", "this run"] == \
        "a one-line change pushed 54.4 MB (multi)"


def test_the_write_ups_errors_say_which_lab_to_run_when_nothing_is_measured() -> None:
    table = native.writeup_errata({}).frame.set_index("where")
    assert table.loc["stage 4 (Alpine)", "this run"].endswith("run lab 03")
    assert "run lab 03" in table.loc["conclusions", "this run"]
    assert table.loc["section 4 (egress, storage)", "this run"].endswith("run lab 02 "
                                                                         "(sl.delivery)")


def test_the_shrink_factor_is_basic_over_the_smallest_jvm_image_on_disk():
    from slimlab.labs import native as lab_native

    measured = {"basic": {"size_bytes": 800_000_000}, "jre": {"size_bytes": 400_000_000},
                "alpine": {"size_bytes": 200_000_000},
                "jlink": {"size_bytes": 100_000_000, "not_measured_reason": "not built"}}
    assert lab_native.shrink_factor(measured, present_only=False) == 4.0
    assert lab_native.shrink_factor({"basic": {"size_bytes": 1}}, present_only=False) == 1.0
    assert lab_native.shrink_factor({"jre": {"size_bytes": 1}}, present_only=False) is None


# ---------------------------------------------------------------------------- one call per cell


def test_the_skip_reason_is_the_missing_builder_or_the_memory() -> None:
    assert native.skip_reason(_preflight(reason="no builder.")) == "no builder."
    assert native.skip_reason(_preflight(memory_gib=2.0)) == \
        "the engine has 2.0 GiB of memory, too little"


@pytest.mark.parametrize(("built", "started"), [(None, ["alpine"]),
                                                ("a build", ["native", "alpine"])])
def test_the_jvm_yardstick_is_ensured_and_started_with_native_when_built(
        monkeypatch, built, started) -> None:
    ensured: list[str] = []
    timed: list[list] = []
    monkeypatch.setattr(workbook, "ensure", ensured.append)
    monkeypatch.setattr(workbook, "startup", lambda names: timed.append(names) or [
        {"variant": n, "ready_s": 1.0} for n in names])
    shown = native.start_against_jvm(built)
    assert ensured == ["alpine"] and timed == [started]
    assert list(shown.frame["variant"]) == started


class _Running:
    def __enter__(self) -> SimpleNamespace:
        return SimpleNamespace(get=lambda path: (200, []))

    def __exit__(self, *exc: object) -> None:
        return None


def test_without_a_native_image_every_figure_is_not_measured() -> None:
    figures = native.against_jvm(None, _preflight(reason="no builder."))
    assert {str(v) for v in vars(figures).values()} == {"not measured here (no builder.)"}


def test_the_native_figures_are_ratios_over_the_jvm(monkeypatch) -> None:
    measured: list[str] = []
    monkeypatch.setattr(workbook, "measure", measured.append)
    monkeypatch.setattr(checkpoints, "load_measurements", lambda: {
        "native": {"ready_s": 0.1, "memory_mib": 100.0, "size_bytes": 100},
        "alpine": {"ready_s": 2.0, "memory_mib": 250.0, "size_bytes": 200}})
    monkeypatch.setattr(workbook, "run", lambda what: _Running())
    monkeypatch.setattr(workbook, "contents_check", lambda what: [{"ok": True}, {"ok": False}])
    figures = native.against_jvm(SimpleNamespace(), _preflight())  # type: ignore[arg-type]
    assert measured == ["native"]
    assert (figures.status, figures.contents_ok) == (200, False)
    assert figures.ready_ratio == pytest.approx(0.05)
    assert (figures.memory_ratio, figures.size_ratio) == (pytest.approx(0.4), 0.5)
    assert str(figures).splitlines()[0] == "status: 200"


def test_a_native_checkpoint_is_skipped_only_when_not_measured(monkeypatch, capsys) -> None:
    checked: list[tuple] = []
    monkeypatch.setattr(workbook, "check", lambda *args, **rule: checked.append((args, rule)))
    native.check("05-native", "native answers", native.NotMeasured("no builder"), equals=200)
    assert checked == []
    assert capsys.readouterr().out == \
        "Skipped, not measured here (no builder): native answers\n"
    native.check("05-native", "native answers", 200, equals=200)
    assert checked == [(("05-native", "native answers", 200), {"equals": 200})]


def test_the_spring_aot_figures_add_the_libraries(monkeypatch) -> None:
    monkeypatch.setattr(native.AotOutput, "counts",
                        lambda self: {"generated Java sources": 3, "generated classes": 5})
    monkeypatch.setattr(native.AotOutput, "metadata_libraries", lambda self: ["a:b:1", "c:d:2"])
    assert native.AotOutput("bookshelf:spring-aot").figures() == {
        "generated Java sources": 3, "generated classes": 5,
        "libraries with reachability metadata": 2}


def test_the_board_is_the_latest_measurements_worth_a_row(monkeypatch) -> None:
    monkeypatch.setattr(checkpoints, "load_measurements", lambda: MEASURED)
    assert sorted(native.board()) == ["alpine", "basic", "jlink", "jre", "native"]


def test_sizes_are_reported_only_when_both_were_measured() -> None:
    assert native.sizes_reported({"size_bytes": 1, "pull_bytes": 1}) is True
    assert native.sizes_reported({"size_bytes": 1, "pull_bytes": 0}) is False
    assert native.sizes_reported(None) is False


def test_the_errata_are_shown_whole():
    """A DataFrame's own display cut each correction at 50 characters, the point of it."""
    html = native.writeup_errata({})._repr_html_()
    assert "every container runs on the host's kernel" in html


def test_the_spring_aot_stage_image_is_removed_once(monkeypatch):
    images = {native.AOT_TAG}
    monkeypatch.setattr(native.engine, "image_exists", lambda tag: tag in images)
    monkeypatch.setattr(native.engine, "remove_image", images.remove)
    assert native.remove_stage_image() is True
    assert images == set()
    assert native.remove_stage_image() is False
