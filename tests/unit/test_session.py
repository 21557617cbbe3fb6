"""What `sl.setup` says about the environment comes from what it found, on every profile."""

from __future__ import annotations

from slimlab.kit.bases import BASES
from slimlab.session import NO_MIRROR, environment, mirror_fact


def _bases(source: str, builder: str = "missing") -> list[dict]:
    return [{"argument": b.arg, "source": builder if b.arg == "NATIVE_BUILDER_IMAGE"
             else source} for b in BASES]


def test_a_laptop_with_upstream_images_and_maven_central():
    said = " ".join(environment(_bases("upstream", "upstream"),
                                "none (Maven's default repository)"))
    assert "the upstream ones" in said and "Maven Central" in said
    assert "kit" not in said and "Alpine" not in said and "seconds" not in said


def test_the_kit_with_a_loopback_mirror():
    said = " ".join(environment(_bases("kit"), "http://127.0.0.1:39217/"))
    assert "kit stand-ins" in said and "not Alpine" in said
    assert "native-image builder is not on this engine" in said
    assert "takes seconds here" in said and "127.0.0.1:39217" in said


def test_a_custom_mirror_is_named_not_described():
    said = environment(_bases("upstream", "upstream"), "https://repo.example.test/maven2/")
    assert said[-1] == "Maven downloads through the mirror https://repo.example.test/maven2/."


def test_no_mirror_yet_says_when_one_appears():
    assert mirror_fact("http://127.0.0.1:39217/", "auto") == "http://127.0.0.1:39217/"
    assert mirror_fact("", "off") == NO_MIRROR
    before_prepare = mirror_fact("", "auto")
    assert before_prepare.startswith(NO_MIRROR) and "slimlab prepare" in before_prepare
    said = " ".join(environment(_bases("kit"), before_prepare))
    assert "Maven Central" in said
