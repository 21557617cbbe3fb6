"""What a Dockerfile asks for before it is built: its base images after ``ARG`` substitution.

BuildKit pulls a missing ``FROM`` image by itself, silently, and counts the pull as build
time. Slimlab resolves every ``FROM`` first, so a missing base fails before the build
starts, with the fix named, and a build never pulls.
"""

from __future__ import annotations

import re

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<name>\S+))?\s*$",
                   re.IGNORECASE)
_ARG = re.compile(r"^\s*ARG\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:=(?P<value>\S*))?",
                  re.IGNORECASE)
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}"
                  r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def _lines(text: str) -> list[str]:
    """Logical lines: continuations joined, comments dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    return [line for line in joined.splitlines() if not line.lstrip().startswith("#")]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def substitute(text: str, values: dict[str, str]) -> str:
    """``${X}``, ``$X`` and ``${X:-default}`` as BuildKit expands them in FROM."""
    def one(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        value = values.get(name, "")
        if not value and match.group("default") is not None:
            return match.group("default")
        return value
    return _VAR.sub(one, text)


def _froms(text: str, buildargs: dict[str, str] | None) -> list[tuple[str, str]]:
    """(image, stage name or "") of each FROM line, ARGs filled in as BuildKit fills them:
    only ARGs declared before the first FROM reach FROM lines."""
    buildargs = buildargs or {}
    scope: dict[str, str] = {}
    froms: list[tuple[str, str]] = []
    for line in _lines(text):
        arg = _ARG.match(line)
        if arg and not froms:
            name = arg.group("name")
            default = _unquote(arg.group("value") or "")
            scope[name] = buildargs.get(name, substitute(default, scope))
            continue
        match = _FROM.match(line)
        if match:
            froms.append((substitute(match.group("image"), scope), match.group("name") or ""))
    return froms


def _is_image(image: str, earlier_stages: set[str]) -> bool:
    return image.lower() != "scratch" and image.lower() not in earlier_stages


def base_images(text: str, buildargs: dict[str, str] | None = None) -> list[str]:
    """The images the ``FROM`` lines name once ``ARG``s are filled in, in order, without
    ``scratch`` and without earlier stages (``FROM build``)."""
    images: list[str] = []
    stages: set[str] = set()
    for image, name in _froms(text, buildargs):
        if _is_image(image, stages) and image not in images:
            images.append(image)
        if name:
            stages.add(name.lower())
    return images


def final_base(text: str, buildargs: dict[str, str] | None = None) -> str | None:
    """The image the last stage starts FROM (None for scratch or an earlier stage)."""
    froms = _froms(text, buildargs)
    if not froms:
        return None
    stages = {name.lower() for _, name in froms[:-1] if name}
    image = froms[-1][0]
    return image if _is_image(image, stages) else None


def stage_names(text: str) -> list[str]:
    """The stages in Dockerfile order, named as BuildKit shows them: ``AS name`` or
    ``stage-N`` (N counted from 0) for an unnamed one."""
    return [name or f"stage-{n}" for n, (_, name) in enumerate(_froms(text, None))]
