"""parse_stream: the classic builder's JSON stream folded into steps, ids and errors."""

from __future__ import annotations

import itertools

from slimlab.build import failing_step, parse_stream


def fake_clock(*times: float):
    """A clock that returns the given times in order, then keeps returning the last."""
    values = itertools.chain(times, itertools.repeat(times[-1]))
    return lambda: next(values)


def s(text: str) -> dict:
    return {"stream": text}


CACHED_BUILD = [
    s("Step 1/3 : FROM slimlab-kit/os:trixie\n"),
    s(" ---> b23bd8d15c45\n"),
    s("Step 2/3 : COPY app.jar /app.jar\n"),
    s(" ---> Using cache\n"),
    s(" ---> 0123456789ab\n"),
    s("Step 3/3 : RUN echo hi\n"),
    s(" ---> Running in 5f5f5f5f5f5f\n"),
    s("hi\n"),
    s("Removing intermediate container 5f5f5f5f5f5f\n"),
    s(" ---> abcdefabcdef\n"),
    {"aux": {"ID": "sha256:" + "ab" * 32}},
    s("Successfully built abcdefabcdef\n"),
    s("Successfully tagged demo:1\n"),
]


def test_steps_instructions_and_totals():
    parsed = parse_stream(CACHED_BUILD)
    assert [(st.index, st.instruction) for st in parsed.steps] == [
        (1, "FROM slimlab-kit/os:trixie"), (2, "COPY app.jar /app.jar"), (3, "RUN echo hi")]
    assert parsed.error == ""
    assert "hi" in parsed.log_lines


def test_using_cache_marks_only_its_step():
    parsed = parse_stream(CACHED_BUILD)
    assert [st.cached for st in parsed.steps] == [False, True, False]


def test_aux_id_wins_over_successfully_built():
    parsed = parse_stream(CACHED_BUILD)
    assert parsed.image_id == "sha256:" + "ab" * 32


def test_successfully_built_is_the_fallback_id():
    chunks = [c for c in CACHED_BUILD if "aux" not in c]
    assert parse_stream(chunks).image_id == "abcdefabcdef"


def test_per_step_seconds_with_a_fake_clock():
    # clock(): start=0, then one call per non-empty line; the final call closes the last step
    chunks = [s("Step 1/2 : FROM x\n"), s(" ---> 1\n"), s("Step 2/2 : RUN sleep\n"),
              s("done\n")]
    parsed = parse_stream(chunks, clock=fake_clock(0.0, 1.0, 1.5, 4.0, 9.0, 10.0))
    # step 1 runs from its line (t=1.0) to step 2's line (t=4.0); step 2 from 4.0 to 10.0
    assert [st.seconds for st in parsed.steps] == [3.0, 6.0]


def test_callbacks_see_every_step_and_line():
    steps, lines = [], []
    parse_stream(CACHED_BUILD, on_step=lambda st, total: steps.append((st.index, total)),
                 on_line=lines.append)
    assert steps == [(1, 3), (2, 3), (3, 3)]
    assert " ---> Using cache" in lines


def test_error_detail_names_the_failing_step():
    chunks = [s("Step 1/3 : FROM x\n"), s(" ---> 1\n"), s("Step 2/3 : RUN exit 3\n"),
              s(" ---> Running in 42\n"),
              {"errorDetail": {"code": 3, "message": "The command '/bin/sh -c exit 3' "
                               "returned a non-zero code: 3"},
               "error": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"}]
    parsed = parse_stream(chunks)
    assert "non-zero code: 3" in parsed.error
    assert parsed.image_id == ""
    assert failing_step(parsed) == "RUN exit 3"
    assert parsed.log_lines[-1] == parsed.error


def test_plain_error_without_detail():
    parsed = parse_stream([{"error": "pull access denied for nope"}])
    assert parsed.error == "pull access denied for nope"
    assert failing_step(parsed) == "(before the first step)"


def test_multi_line_chunks_and_blank_lines():
    parsed = parse_stream([s("Step 1/2 : FROM x\n ---> 1\n\n\nStep 2/2 : RUN y\n"
                             " ---> Using cache\n ---> 2\n")])
    assert [st.cached for st in parsed.steps] == [False, True]
    assert "" not in parsed.log_lines


def test_no_steps_no_id():
    parsed = parse_stream([])
    assert parsed.steps == [] and parsed.image_id == "" and parsed.error == ""
