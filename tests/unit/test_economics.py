"""The delivery arithmetic, checked against the write-up's own figures (its section 4)."""

from __future__ import annotations

import pytest
from slimlab import economics as eco
from slimlab.errors import ConfigError

BIG = 847e6  # the write-up's "before" image (847MB, decimal as its arithmetic shows)
SMALL = 127e6  # its "after" image


def test_transfer_matches_the_writeup():
    # "847MB 이미지: Push: ~68초 | Pull: ~68초"; "127MB 이미지: Push: ~10초"
    assert round(eco.transfer_seconds(BIG, 100)) == 68
    assert round(eco.transfer_seconds(SMALL, 100)) == 10
    assert eco.transfer_seconds(BIG) == pytest.approx(67.76)


def test_push_plus_pull_matches_the_writeup():
    # "총 배포: ~2분 20초" (its 68 + 68 s, rounded up) and "~20초"
    assert eco.push_pull_seconds(BIG) == pytest.approx(2 * 60 + 20, abs=5)
    assert eco.push_pull_seconds(SMALL) == pytest.approx(20, abs=1)


def test_egress_matches_the_writeup():
    # "3,000 × 847MB = 2,541GB → $228.69/월"; "381GB → $34.29/월"; "월 절감액: $194.40"
    big, small = eco.monthly_egress_usd(BIG), eco.monthly_egress_usd(SMALL)
    assert big == pytest.approx(228.69, abs=0.005)
    assert small == pytest.approx(34.29, abs=0.005)
    assert big - small == pytest.approx(194.40, abs=0.005)
    assert 12 * (big - small) == pytest.approx(2332.80, abs=0.01)  # "연간 $2,332.80"


def test_storage_matches_the_writeup():
    # "847MB × 100 = 84.7GB", "127MB × 100 = 12.7GB", "72GB 스토리지 절감"
    assert eco.registry_storage_bytes(BIG) / 1e9 == pytest.approx(84.7)
    assert eco.registry_storage_bytes(SMALL) / 1e9 == pytest.approx(12.7)
    assert (eco.registry_storage_bytes(BIG) - eco.registry_storage_bytes(SMALL)) / 1e9 == (
        pytest.approx(72)
    )


def test_cold_start_matches_the_writeup():
    # "이미지 Pull: 68초 + 컨테이너 시작: 5초 = 총 73초" and "10초 + 5초 = 총 15초"
    assert eco.DEFAULT_STARTUP_SECONDS == 5.0
    assert round(eco.cold_start_seconds(BIG, 100, 5)) == 73
    assert round(eco.cold_start_seconds(SMALL, 100, 5)) == 15
    assert eco.cold_start_seconds(BIG) == eco.cold_start_seconds(BIG, 100, 5)


def test_units_are_decimal():
    assert eco.transfer_seconds(1e9, 8) == pytest.approx(1000)  # 8e9 bits / 8e6 bit/s
    assert eco.monthly_egress_usd(1e9, deploys_per_day=1, days=1, usd_per_gb=1) == 1.0


def test_every_parameter_counts():
    assert eco.transfer_seconds(BIG, 200) == pytest.approx(eco.transfer_seconds(BIG, 100) / 2)
    assert eco.monthly_egress_usd(BIG, deploys_per_day=10) == pytest.approx(22.869)
    assert eco.monthly_egress_usd(BIG, days=15) == pytest.approx(228.69 / 2)
    assert eco.monthly_egress_usd(BIG, usd_per_gb=0.18) == pytest.approx(2 * 228.69)
    assert eco.registry_storage_bytes(BIG, versions=10) == pytest.approx(8.47e9)
    assert eco.cold_start_seconds(SMALL, 1000, 0.1) == pytest.approx(1.016 + 0.1)
    assert eco.monthly_egress_usd(0) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: eco.transfer_seconds(1, 0),
        lambda: eco.transfer_seconds(1, -5),
        lambda: eco.transfer_seconds(-1, 100),
        lambda: eco.monthly_egress_usd(1, deploys_per_day=-1),
        lambda: eco.monthly_egress_usd(1, usd_per_gb=-0.01),
        lambda: eco.registry_storage_bytes(1, versions=-1),
        lambda: eco.cold_start_seconds(1, 100, -1),
    ],
)
def test_impossible_inputs_are_config_errors(call):
    with pytest.raises(ConfigError):
        call()


def test_delivery_table_prefers_pull_bytes_and_says_which():
    rows = eco.delivery_table(
        {
            "basic": {"size_bytes": 2 * BIG, "pull_bytes": BIG, "ready_s": 5},
            "jlink": {"size_bytes": SMALL},
        }
    )
    basic, jlink = rows
    assert [r["variant"] for r in rows] == ["basic", "jlink"]
    assert (basic["size_bytes"], basic["size_from"]) == (BIG, "pull_bytes")
    assert (jlink["size_bytes"], jlink["size_from"]) == (SMALL, "size_bytes")
    assert round(basic["transfer_s"]) == 68
    assert basic["push_pull_s"] == pytest.approx(2 * basic["transfer_s"])
    assert basic["egress_usd_month"] == pytest.approx(228.69)
    assert jlink["egress_usd_month"] == pytest.approx(34.29)
    assert basic["storage_bytes"] == pytest.approx(84.7e9)
    assert round(basic["cold_start_s"]) == 73


def test_delivery_table_start_time_sources():
    variants = {"measured": {"size_bytes": SMALL, "ready_s": 2.5}, "unknown": {"size_bytes": SMALL}}
    measured, unknown = eco.delivery_table(variants)
    assert (measured["startup_s"], measured["startup_from"]) == (2.5, "measured ready_s")
    assert (unknown["startup_s"], unknown["startup_from"]) == (5.0, "write-up's 5 s")
    assert measured["cold_start_s"] == pytest.approx(10.16 + 2.5)
    given = eco.delivery_table(variants, startup_seconds=1)
    assert {(r["startup_s"], r["startup_from"]) for r in given} == {(1.0, "given")}


def test_delivery_table_parameters_pass_through():
    (row,) = eco.delivery_table(
        {"v": {"pull_bytes": BIG}}, mbps=50, deploys_per_day=1, days=1, usd_per_gb=1, versions=2
    )
    assert row["transfer_s"] == pytest.approx(2 * 67.76)
    assert row["egress_usd_month"] == pytest.approx(0.847)
    assert row["storage_bytes"] == pytest.approx(2 * BIG)


def test_delivery_table_keeps_unmeasured_variants_visible():
    (row,) = eco.delivery_table({"native": {"not_measured_reason": "no GraalVM"}})
    assert row["size_from"] is None
    assert row["transfer_s"] is None and row["egress_usd_month"] is None
    assert row["startup_s"] is None
    assert row["not_measured_reason"] == "no GraalVM"


def test_delivery_table_prefers_the_registrys_count_to_the_estimate():
    rows = eco.delivery_table({"multi": {"size_bytes": 2 * BIG, "pull_bytes": BIG + 1e6,
                                         "first_pull_bytes": BIG}})
    assert (rows[0]["size_bytes"], rows[0]["size_from"]) == (BIG, "first_pull_bytes")


def test_change_table_prices_only_the_changed_layers():
    change = 10e6
    rows = eco.change_table({
        "basic": {"pull_bytes": BIG},  # never delivered: no change row
        "multi": {"first_pull_bytes": SMALL, "push_bytes_per_change": change},
        "native": {"not_measured_reason": "no builder", "push_bytes_per_change": 1},
    }, versions=100)
    assert [r["variant"] for r in rows] == ["multi"]
    (row,) = rows
    assert row.keys() == eco.delivery_table({"x": {}})[0].keys()
    assert (row["size_bytes"], row["size_from"]) == (change, eco.CHANGE_KEY)
    assert row["transfer_s"] == pytest.approx(0.8)  # 10 MB at 100 Mbps
    assert row["push_pull_s"] == pytest.approx(1.6)
    assert row["cold_start_s"] is None  # a new node pulls the whole image, not the change
    assert row["egress_usd_month"] == pytest.approx(2.7)  # 10 MB × 3000 × $0.09
    assert row["storage_bytes"] == pytest.approx(SMALL + 99 * change)  # one image + changes
    assert row["storage_bytes"] < eco.registry_storage_bytes(SMALL, 100)  # the upper bound


def test_change_table_says_to_run_lab_02_when_nothing_was_delivered():
    (row,) = eco.change_table({"basic": {"pull_bytes": BIG}})
    assert row["size_bytes"] is None and row["variant"] == ""
    assert row["not_measured_reason"].startswith("run lab 02")


def test_change_table_parameters_pass_through():
    (row,) = eco.change_table({"multi": {"push_bytes_per_change": BIG}}, mbps=1000,
                              deploys_per_day=1, days=1, usd_per_gb=1.0, versions=1)
    assert row["transfer_s"] == pytest.approx(6.776)
    assert row["egress_usd_month"] == pytest.approx(0.847)
    assert row["storage_bytes"] is None  # no whole-image size to start from


def test_a_registry_count_of_other_layers_no_longer_prices_the_image():
    from slimlab import report

    fresh = {"first_pull_bytes": 233e6, "first_pull_content_id": "aaa", "content_id": "aaa",
             "pull_bytes": 250e6, "size_bytes": 770e6}
    stale = {**fresh, "content_id": "bbb"}  # rebuilt since lab 02 pushed it
    assert report.pull_size(fresh) == (233e6, report.PULL_FROM_REGISTRY)
    assert report.pull_size(stale) == (250e6, report.PULL_FROM_ESTIMATE)
    rows = eco.delivery_table({"fresh": fresh, "stale": stale})
    assert [(r["size_bytes"], r["size_from"]) for r in rows] == [
        (233e6, "first_pull_bytes"), (250e6, "pull_bytes")]
