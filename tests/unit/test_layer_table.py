"""The layer table lists every layer the image has: as many rows as sl.measure counts."""

from __future__ import annotations

from types import SimpleNamespace

from slimlab import anatomy, workbook

HISTORY = [
    {"CreatedBy": "ADD rootfs.tar / # buildkit", "Size": 77_000_000, "EmptyLayer": False},
    {"CreatedBy": "CMD [\"bash\"]", "Size": 0, "EmptyLayer": True},
    {"CreatedBy": "WORKDIR /src", "Size": 0, "EmptyLayer": False},  # it made /src: a layer
    {"CreatedBy": "COPY . . # buildkit", "Size": 500_000, "EmptyLayer": False},
    {"CreatedBy": "RUN /bin/sh -c mvn package # buildkit", "Size": 90_000_000,
     "EmptyLayer": False},
    {"CreatedBy": "EXPOSE map[8080/tcp:{}]", "Size": 0, "EmptyLayer": True},
]


def test_every_layer_has_a_row_even_an_empty_workdir(monkeypatch):
    report = SimpleNamespace(history=HISTORY, size_bytes=167_500_000, layer_count=4)
    monkeypatch.setattr(workbook, "image", lambda what: report)
    monkeypatch.setattr(anatomy, "base_rows", lambda report, dockerfile: 2)
    rows = anatomy.filesystem_layers("bookshelf:basic", dockerfile=None)
    assert len(rows) == report.layer_count
    assert [r["instruction"].split()[0] for r in rows] == ["ADD", "WORKDIR", "COPY", "RUN"]
    assert [r["from"] for r in rows] == ["base image", "this Dockerfile", "this Dockerfile",
                                         "this Dockerfile"]


def _built(*instructions: str):
    steps = [SimpleNamespace(instruction=text) for text in instructions]
    return SimpleNamespace(steps=steps)


def test_the_ordering_exercise_is_checked_from_the_build_itself():
    good = _built("FROM maven", "COPY .mvn .mvn", "COPY pom.xml .",
                  "RUN mvn dependency:go-offline", "COPY src src", "RUN mvn package")
    bad = _built("FROM maven", "COPY . .", "RUN mvn package -DskipTests")
    late = _built("FROM maven", "COPY src src", "RUN mvn dependency:go-offline",
                  "RUN mvn package")
    assert anatomy.dependency_layer_first(good)
    assert not anatomy.dependency_layer_first(bad)
    assert not anatomy.dependency_layer_first(late)
