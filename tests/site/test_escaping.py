"""Hostile or broken documents: nothing from a document runs on the portal, and a document
that cannot be read still gets its page, showing why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result, build_tree
from tests.site.helpers import OPS, portal_workspace, text_of

TODAY = ("--today", "2026-11-20", "--at", "2026-11-20T12:00:00Z")

HOSTILE = """\
---
kind: runbook
title: "<script>alert('title')</script>"
owner: "<img src=x onerror=alert(1)>"
service: evil
last_reviewed: 2026-11-01
---

# Evil <script>alert('heading')</script>

<script>alert('body')</script>

<img src="x" onerror="alert(2)">

[click](javascript:alert(3)) and ![remote](https://tracker.example.com/pixel.png)

```html
</code></pre><script>alert('fence')</script>
```
"""


def test_script_in_markdown_or_front_matter_is_text(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path, **{f"{OPS}/runbook-evil.md": HOSTILE})
    assert cli("site", "build", *TODAY, cwd=tmp_path).exit_code == 0
    for page in (
        "site/docs/runbook-evil.html",
        "site/services/evil.html",
        "site/index.html",
        "site/documents.html",
    ):
        html = (tmp_path / page).read_text()
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html and '<img src="x"' not in html, page
        assert 'href="javascript:' not in html, page
    html = (tmp_path / "site/docs/runbook-evil.html").read_text()
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in html
    # a picture on another host is not loaded (no request leaves the site): its text is linked
    assert 'src="https://tracker' not in html
    assert '<a href="https://tracker.example.com/pixel.png" rel="noopener noreferrer">' in html
    # the only scripts are the site's own files
    scripts = [line for line in html.splitlines() if "<script" in line]
    assert all('src="../assets/' in line for line in scripts)


def test_an_svg_with_a_script_is_not_published(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = HOSTILE.replace("service: evil", "service: evil2").replace(
        "# Evil", "![chart](../../../charts/bad.svg)\n\n# Evil"
    )
    portal_workspace(
        tmp_path,
        **{
            f"{OPS}/runbook-evil2.md": doc,
            "charts/bad.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        },
    )
    assert cli("site", "build", *TODAY, cwd=tmp_path).exit_code == 0
    assert not (tmp_path / "site/files/charts/bad.svg").exists()
    assert "[image: chart]" in (tmp_path / "site/docs/runbook-evil2.html").read_text()


def test_a_document_that_fails_to_parse_gets_a_page_with_its_error(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(
        tmp_path,
        **{f"{OPS}/runbook-broken.md": "---\nkind: runbook\ntitle: [unclosed\n---\n\n# Broken\n"},
    )
    build_tree(tmp_path, {f"{OPS}/runbook-binary.md": b"\x00\x01\x02 not text"})
    result = cli("site", "build", *TODAY, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    broken = text_of((tmp_path / "site/docs/runbook-broken.html").read_text())
    assert "This document could not be read whole." in broken
    assert "runbook-broken.md:4:1: invalid YAML" in broken
    assert "Broken" in broken  # the body is still shown
    binary = text_of((tmp_path / "site/docs/runbook-binary.html").read_text())
    assert "binary file, not Markdown" in binary
    assert "This document could not be read, so there is nothing more to show." in binary


def test_a_document_whose_front_matter_fails_to_parse_invents_no_service(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(
        tmp_path,
        **{
            f"{OPS}/runbook-broken.md": "---\nkind: runbook\ntitle: [unclosed\n---\n\n# Broken\n",
            f"{OPS}/runbook-open.md": "---\nkind: runbook\ntitle: Open\n\n# Never closed\n",
        },
    )
    result = cli("site", "build", *TODAY, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    services = sorted(p.name for p in (tmp_path / "site/services").iterdir())
    assert services == ["api-server.html", "database.html"]
    home = (tmp_path / "site/index.html").read_text()
    assert "services/broken.html" not in home and "services/open.html" not in home
    assert "2 services" in text_of(home)
    # each still has its own page, with the error, and is listed with the documents
    never = text_of((tmp_path / "site/docs/runbook-open.html").read_text())
    assert "runbook-open.md:1:1: front matter is never closed" in never
    documents = (tmp_path / "site/documents.html").read_text()
    assert "docs/runbook-broken.html" in documents and "docs/runbook-open.html" in documents
