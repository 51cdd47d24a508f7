"""check_promql parses a query's shape once per shape; it must judge every query as the parser does."""

from __future__ import annotations

import promql_parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsdocs.slo import validate
from opsdocs.slo.validate import check_promql, promql_shape


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
    validate._parse.cache_clear()
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
    validate._parse.cache_clear()
