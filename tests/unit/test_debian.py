"""The Debian mirror, read from the machine's apt sources (deb822 and one-line formats)."""

from __future__ import annotations

import pytest
from slimlab.errors import KitError
from slimlab.kit import debian

DEB822 = """\
Types: deb
URIs: http://archive.example.test/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://archive.example.test/debian-security
Suites: trixie-security
Components: main
"""

SECURITY_FIRST = """\
Types: deb
URIs: http://security.example.test/debian-security
Suites: trixie-security
Components: main

Types: deb
URIs: https://mirror.example.test/debian/
Suites: trixie
Components: main
"""

ONE_LINE = """\
# deb http://commented.example.test/debian trixie main
deb http://security.example.test/debian-security trixie-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://one.example.test/debian/ trixie main
deb-src http://src.example.test/debian trixie main
"""


@pytest.fixture
def apt(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    return tmp_path


def test_deb822_sources(apt):
    (apt / "sources.list.d" / "debian.sources").write_text(DEB822)
    assert debian.mirror_from_sources(apt) == "http://archive.example.test/debian"


def test_deb822_skips_security_and_strips_the_slash(apt):
    (apt / "sources.list.d" / "debian.sources").write_text(SECURITY_FIRST)
    assert debian.mirror_from_sources(apt) == "https://mirror.example.test/debian"


def test_one_line_sources_list_with_options_and_comments(apt):
    (apt / "sources.list").write_text(ONE_LINE)
    assert debian.mirror_from_sources(apt) == "http://one.example.test/debian"


def test_sources_list_comes_before_the_d_folder(apt):
    (apt / "sources.list").write_text("deb http://first.example.test/debian trixie main\n")
    (apt / "sources.list.d" / "a.sources").write_text(DEB822)
    assert debian.mirror_from_sources(apt) == "http://first.example.test/debian"


def test_non_http_uris_are_skipped(apt):
    (apt / "sources.list").write_text("deb cdrom:[Debian]/ trixie main\n"
                                      "deb file:/srv/debian trixie main\n")
    (apt / "sources.list.d" / "b.list").write_text("deb http://b.example.test/debian trixie main\n")
    assert debian.mirror_from_sources(apt) == "http://b.example.test/debian"


def test_no_mirror_is_a_kit_error_with_a_hint(apt):
    (apt / "sources.list").write_text(
        "deb http://security.example.test/debian-security trixie-security main\n")
    with pytest.raises(KitError) as info:
        debian.mirror_from_sources(apt)
    assert "SLIMLAB_DEBIAN_MIRROR" in info.value.hint


def test_missing_apt_folder_is_a_kit_error(tmp_path):
    with pytest.raises(KitError):
        debian.mirror_from_sources(tmp_path / "no-such-apt")


def test_override_wins(apt, monkeypatch):
    monkeypatch.setenv("SLIMLAB_DEBIAN_MIRROR", "http://override.example.test/debian")
    monkeypatch.setattr(debian, "APT_SOURCES", apt)  # empty: would raise if it were read
    assert debian.debian_mirror() == "http://override.example.test/debian"
