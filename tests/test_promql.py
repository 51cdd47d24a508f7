"""check_promql parses a query's shape once per shape; it must judge every query as the parser does."""

from __future__ import annotations

import contextlib

import promql_parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs import promql
from opsdocs.promql import check_promql, metric_names, promql_shape


def parser_says(query: str) -> str | None:
    try:
        promql_parser.parse(query)
    except ValueError as exc:
        return str(exc) or "invalid PromQL"
    return None


@pytest.mark.parametrize(
    ("query", "shape"),
    [
        (
            'sum(rate(http_requests_total{job="svc-1",code=~"5.."}[5m]))',
            'sum(rate(http_requests_total{job="x",code=~"5.."}[5m]))',
        ),
        ('up{job != "a b", env="prod-1"}', 'up{job != "x", env="x"}'),
        ('{a=""}', '{a=""}'),  # empty stays empty: it decides whether the selector is valid
        ('foo{__name__="bar"}', 'foo{__name__="bar"}'),  # the metric name is never replaced
        ('x{a=~"b", c!~"d"}', 'x{a=~"b", c!~"d"}'),  # regular expressions are parsed as written
        ('x{a="b=c"}', 'x{a="b=c"}'),  # not a plain value
        ('x{a="b"} # k="v"\n', 'x{a="x"} # k="v"\n'),  # comments are left alone
        ("x{a='b'}", None),  # single quotes: not scanned
        ('x{a="b\\"c"}', None),  # escapes: not scanned
        ('x{a="b', None),  # an unterminated string
    ],
)
def test_shape_replaces_only_plain_equality_values(query: str, shape: str | None) -> None:
    assert promql_shape(query) == shape


_values = st.sampled_from(["", "a", "svc-1", "5..", "(", "x y", "a=b", "é", "prod:eu/1"])
_ops = st.sampled_from(["=", "!=", "=~", "!~", " = ", "=="])
_names = st.sampled_from(["job", "code", "__name__", "le"])


@st.composite
def queries(draw: st.DrawFn) -> str:
    matchers = draw(
        st.lists(
            st.builds(lambda n, o, v: f'{n}{o}"{v}"', _names, _ops, _values),
            max_size=3,
        )
    )
    metric = draw(st.sampled_from(["", "http_requests_total", "up"]))
    selector = f"{metric}{{{', '.join(matchers)}}}"
    wrap = draw(
        st.sampled_from(
            [
                "{}",
                "sum(rate({}[5m]))",
                '{} # a comment with job="x"',
                '{} != "a"',
                "1 - avg_over_time({}[5m]) or on() vector(0)",
                "sum(rate({}[5m])) by (job",
            ]
        )
    )
    return wrap.replace("{}", selector, 1) if wrap != "{}" else selector


@settings(max_examples=400, deadline=None)
@given(queries())
def test_check_promql_judges_as_the_parser_does(query: str) -> None:
    assert check_promql(query) == parser_says(query)


def test_one_parse_per_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    promql._parse.cache_clear()
    parsed: list[str] = []
    real = promql_parser.parse

    def counting(query: str) -> object:
        parsed.append(query)
        return real(query)

    monkeypatch.setattr(promql_parser, "parse", counting)
    for i in range(50):
        assert check_promql(f'sum(rate(x_total{{job="svc-{i}",code=~"5.."}}[5m]))') is None
    assert parsed == ['sum(rate(x_total{job="x",code=~"5.."}[5m]))']
    # a query whose shape does not parse is parsed as written, for the complaint about it
    complaint = check_promql('sum(rate(x_total{job="svc-1",code=~"5.("}[5m]))')
    assert complaint is not None and "5.(" in complaint
    assert parsed[-1] == 'sum(rate(x_total{job="svc-1",code=~"5.("}[5m]))'
    promql._parse.cache_clear()


# --- bounds: what reaches the native parser is bounded, so a deep query cannot crash it --------


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        ("x" + " + x" * 5000, "query is 20001 characters long, more than 8192"),
        ("(" * 20000 + "x" + ")" * 20000, "query is 40001 characters long, more than 8192"),
        ("(" * 100 + "x" + ")" * 100, "query nests 100 brackets deep, more than 64"),
        ("x" + "+x" * 1000, "query has 1000 operators, more than 500"),
    ],
)
def test_queries_too_big_for_the_parser_are_refused_before_parsing(
    query: str, complaint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(text: str) -> None:
        raise AssertionError("the parser must not see this query")

    monkeypatch.setattr(promql_parser, "parse", crash)
    assert check_promql(query) == complaint


def test_strings_and_comments_do_not_count_toward_the_bounds() -> None:
    assert promql.bound_problem('x{a="' + "(" * 100 + '"} # ' + "+" * 600) is None


# --- label matchers: a selector is matchers, never PromQL of its own -----------------------------


def test_selector_writes_the_matchers_again() -> None:
    assert promql.selector("m", 'job="api", code=~"5.."') == 'm{job="api", code=~"5.."}'
    assert promql.selector("m", "{job='a\\'b'}", 'le="1"') == 'm{job="a\'b", le="1"}'
    assert promql.selector("m", "") == "m{}"


@pytest.mark.parametrize(
    "text",
    [
        'job="api"} or vector(1) or x{a="b"',
        'job="api" or vector(1)',
        "job=api",
        'job="api',
        "sum(x)",
        'job="a"; code="b"',
    ],
)
def test_selector_that_is_not_matchers_is_refused(text: str) -> None:
    with pytest.raises(promql.PromqlError):
        promql.parse_matchers(text)


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.3, 'le="0.3"'),
        (1, 'le=~"1|1\\\\.0"'),
        (2.5, 'le="2.5"'),
        (1e6, 'le=~"1000000|1000000\\\\.0|1e\\\\+06"'),
    ],
)
def test_le_matcher_covers_prometheus_2_and_3(threshold: float, expected: str) -> None:
    assert promql.le_matcher(threshold) == expected


# --- output labels: what a division of two queries can match ------------------------------------


@pytest.mark.parametrize(
    ("errors", "total", "said"),
    [
        ("sum by (path) (rate(e[{{window}}]))", "sum(rate(t[{{window}}]))", "errors keeps path"),
        ("sum(rate(e[5m]))", "sum by (job) (rate(t[5m]))", "total keeps job that errors"),
        ("sum without (a) (rate(e[5m]))", "sum(rate(t[5m]))", "errors keeps without (a)"),
        ("2 * sum by (x) (rate(e[5m]))", "(sum(rate(t[5m])))", "errors keeps x"),
    ],
)
def test_label_mismatch_names_the_labels(errors: str, total: str, said: str) -> None:
    mismatch = promql.label_mismatch([("errors", errors), ("total", total)])
    assert mismatch is not None and said in mismatch


@pytest.mark.parametrize(
    ("errors", "total"),
    [
        ("sum by (job) (rate(e[5m]))", "sum by (job) (rate(t[5m]))"),
        ("sum(rate(e[5m]))", "sum(rate(t[5m]))"),
        ("rate(e[5m])", "sum(rate(t[5m]))"),  # unknown: not judged
        ("sum by (a, b) (x)", "sum by (b, a) (y)"),
    ],
)
def test_matching_or_unknown_labels_pass(errors: str, total: str) -> None:
    assert promql.label_mismatch([("errors", errors), ("total", total)]) is None


def test_vector_selectors_are_found_once_in_order() -> None:
    from opsdocs.promql import vector_selectors

    query = (
        'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))'
        " / sum(rate(http_requests_total[{{window}}]))"
        " + count_over_time(up{job='a'}[1h:1m]) + topk(3, z) + sum(rate(http_requests_total[5m]))"
    )
    assert vector_selectors(query) == [
        'http_requests_total{code=~"5.."}',
        "http_requests_total{}",
        'up{job="a"}',
        "z{}",
    ]
    assert vector_selectors("sum(rate(a[5m)") == []


def test_names_by_selector_and_by_name_matcher() -> None:
    query = (
        'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / on(job) '
        'up{job="api"} > 0 and {__name__="queue_depth"} unless absent(other_metric)'
    )
    assert metric_names(query) == {"http_requests_total", "up", "queue_depth", "other_metric"}


def test_regex_name_matchers_and_unparseable_queries_give_nothing() -> None:
    assert metric_names('{__name__=~"http_.*"}') == set()
    assert metric_names("sum(rate(x[5m])") == set()
    assert metric_names("x" + " + x" * 5000) == set()  # bounded before the parser


# --- fuzz: any text gives a complaint or None, never an exception or a crash ---------------------

_PROMQL_TEXT = st.text(alphabet="()[]{}+-*/^%<>=!~ ,\"'`#\\\nxjobsumrate5m_:0.1", max_size=200)


@settings(max_examples=300, deadline=None)
@given(_PROMQL_TEXT, st.integers(min_value=0, max_value=3000))
def test_any_text_is_judged_without_crashing(text: str, depth: int) -> None:
    for query in (text, "(" * depth + text + ")" * depth, text + " + x" * depth):
        complaint = check_promql(query)
        assert complaint is None or (complaint and "\n" not in complaint.strip())
    with contextlib.suppress(promql.PromqlError):
        promql.parse_matchers(text)
