"""Templates render in a bounded sandbox: size, time, one file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from opsdocs.documents.render import MAX_OUTPUT, render_template
from opsdocs.errors import InputError
from tests.conftest import Result

TOO_LARGE = f"t.md: template renders more than {MAX_OUTPUT:,} characters"


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a' * 1000000000 }}",
        "{{ 1000000000 * 'a' }}",
        "{{ [1] * 1000000000 }}",
        "{{ 2 ** 1000000000 }}",
        "{{ '%1000000000s' % 'a' }}",
        "{{ '%*s' % (1000000000, 'a') }}",
        "{{ '{:>1000000000}'.format(1) }}",
        "{{ '{:>{w}}'.format(1, w=1000000000) }}",
        "{{ 'a' | center(1000000000) }}",
        "{{ 'a' | indent(1000000000, true) }}",
        "{{ 'a'.rjust(1000000000) }}",
        "{{ ('a' * 999999).replace('a', 'b' * 999999) }}",
        "{{ ('a' * 999999) | replace('a', 'b' * 999999) }}",
        "{{ range(99999) | join('x' * 999999) }}",
        "{% set ns = namespace(s='a') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(s='a') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    ],
)
def test_a_template_that_would_grow_without_bound_is_refused(source: str) -> None:
    with pytest.raises(InputError) as caught:
        render_template(source, {}, path="t.md", time_limit=30)
    assert str(caught.value).startswith(TOO_LARGE)


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    ],
)
def test_a_template_that_never_ends_is_stopped(source: str) -> None:
    with pytest.raises(InputError, match=r"t\.md: template did not finish rendering within 0\.5 s"):
        render_template(source, {}, path="t.md", time_limit=0.5)


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("{% include 'x.md' %}", "include"),
        ("ok\n{% import 'x.md' as x %}", "import"),
        ("{% from 'x.md' import y %}", "import"),
        ("{% extends 'base.md' %}", "extends"),
    ],
)
def test_include_import_and_extends_are_a_clear_error(source: str, tag: str) -> None:
    with pytest.raises(InputError) as caught:
        render_template(source, {}, path="t.md")
    line = source.count("\n") + 1
    assert str(caught.value) == (
        f"t.md:{line}:1: templates cannot use {{% {tag} %}} "
        "(a template is one file: put the text it needs in the template itself)"
    )


def test_ordinary_templates_still_render() -> None:
    source = (
        "{{ title | upper }} {{ '%s-%d' | format('a', 3) }} {{ [1, 2] | join(', ') }} "
        "{{ 'a b' | replace(' ', '-') }} [{{ 'x' | center(5) }}] {{ '{:>4}'.format(7) }} "
        "{{ 'ab' * 2 }} {% for i in range(3) %}{{ i }}{% endfor %} {{ title ~ '!' }}"
    )
    assert render_template(source, {"title": "t"}, path="t.md") == (
        "T a-3 1, 2 a-b [  x  ]    7 abab 012 t!"
    )


def test_an_expression_error_is_one_line() -> None:
    with pytest.raises(InputError, match=r"t\.md: template failed: division by zero"):
        render_template("{{ 1 / 0 }}", {}, path="t.md")


def test_new_with_a_hostile_workspace_template_exits_2(
    workspace_dir: Path, cli: Callable[..., Result]
) -> None:
    template = workspace_dir / "templates/docs/runbook-template.md"
    template.write_text("---\nkind: runbook\n---\n{{ 'a' * 1000000000 }}\n")
    result = cli("new", "runbook", "api", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (
        f"error: templates/docs/runbook-template.md: template renders more than "
        f"{MAX_OUTPUT:,} characters (a template renders one document: remove the repetition)\n"
    )
    template.write_text("---\nkind: runbook\n---\n{% include 'other.md' %}\n")
    result = cli("new", "runbook", "api", cwd=workspace_dir)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(
        "error: templates/docs/runbook-template.md:4:1: templates cannot use {% include %}"
    )
    assert not (workspace_dir / "docs/internal/operations/runbook-api.md").exists()
