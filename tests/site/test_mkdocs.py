"""``opsdocs site build --format mkdocs``: an mkdocs.yml whose navigation names files that exist,
the documents as written (links between them unchanged, pictures moved into the tree), and the
portal's pages as Markdown with every link resolving."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import Result
from tests.site.helpers import OPS, RUNBOOK, portal_workspace

TODAY = ("--today", "2026-11-20", "--at", "2026-11-20T12:00:00Z")
_LINK = re.compile(r"\]\(<?([^)>\s]+)>?\)")


def _nav_files(nav: list[Any]) -> list[str]:
    """Every file the navigation names; asserts MkDocs' shape (one-key mappings, lists)."""
    files = []
    for item in nav:
        assert isinstance(item, dict) and len(item) == 1, item
        ((title, value),) = item.items()
        assert isinstance(title, str) and title
        if isinstance(value, list):
            files.extend(_nav_files(value))
        else:
            assert isinstance(value, str) and value.endswith(".md"), value
            files.append(value)
    return files


def _build_mkdocs(cli: Callable[..., Result], root: Path) -> Result:
    """``opsdocs site build --format mkdocs --out mk`` in ``root``; it must succeed."""
    result = cli("site", "build", "--format", "mkdocs", "--out", "mk", *TODAY, cwd=root)
    assert result.exit_code == 0, result.stderr
    return result


def test_mkdocs_yml_has_the_shape_mkdocs_reads_and_every_nav_file_exists(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    result = _build_mkdocs(cli, tmp_path)
    assert result.stdout.endswith("Publish it with 'mkdocs build -f mk/mkdocs.yml'\n")
    config = yaml.safe_load((tmp_path / "mk/mkdocs.yml").read_text())
    assert set(config) == {"site_name", "docs_dir", "use_directory_urls", "nav"}
    assert config["site_name"] == "How We Run" and config["docs_dir"] == "docs"
    files = _nav_files(config["nav"])
    assert files[0] == "portal/index.md"
    assert "runbook-api-server.md" in files
    assert "incidents/2026-11-18-checkout-returns-5xx.md" in files
    assert "portal/services/api-server.md" in files
    assert len(files) == len(set(files))
    for name in files:
        assert (tmp_path / "mk/docs" / name).is_file(), name


def test_documents_are_copied_as_written_and_pictures_move_into_the_tree(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build_mkdocs(cli, tmp_path)
    assert (tmp_path / "mk/docs/runbook-api-server.md").read_text() == RUNBOOK
    slo = (tmp_path / "mk/docs/slo-api.md").read_text()
    assert "Budget chart: [availability](portal/files/charts/api.svg)." in slo
    assert (tmp_path / "mk/docs/portal/files/charts/api.svg").is_file()


def test_links_between_documents_are_moved_like_pictures(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    # written for GitHub: a link from the repository's root and a link to a folder's README
    doc = (
        "---\nkind: runbook\ntitle: Links\nowner: team-api\n---\n\n# Links\n\n"
        f"See [the SLO](/{OPS}/slo-api.md#objectives), [the incidents](incidents/) and "
        "[the API](./runbook-api-server.md).\n"
    )
    portal_workspace(
        tmp_path,
        **{f"{OPS}/runbook-links.md": doc, f"{OPS}/incidents/README.md": "# Incidents\n"},
    )
    _build_mkdocs(cli, tmp_path)
    written = (tmp_path / "mk/docs/runbook-links.md").read_text()
    assert (
        "See [the SLO](slo-api.md#objectives), [the incidents](incidents/README.md) and "
        "[the API](runbook-api-server.md)." in written
    )
    for href in _LINK.findall(written):
        assert (tmp_path / "mk/docs" / href.split("#")[0]).is_file(), href


def test_every_link_of_the_generated_pages_resolves(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(tmp_path)
    _build_mkdocs(cli, tmp_path)
    pages = sorted((tmp_path / "mk/docs/portal").rglob("*.md"))
    assert pages
    for page in pages:
        for href in _LINK.findall(page.read_text()):
            path = href.split("#")[0]
            assert not href.startswith("/") and "://" not in href
            assert (page.parent / path).resolve().is_file(), (page, href)


def test_markdown_from_documents_is_escaped_in_the_generated_pages(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    portal_workspace(
        tmp_path,
        **{
            f"{OPS}/runbook-evil.md": '---\nkind: runbook\ntitle: "<script>x</script> [a](b)"\n'
            'owner: "*team* <b>"\n---\n\n# Evil\n'
        },
    )
    _build_mkdocs(cli, tmp_path)
    page = (tmp_path / "mk/docs/portal/services/evil.md").read_text()
    assert "<script>" not in page and "<b>" not in page
    assert "Owner: \\*team\\* &lt;b>" in page
    assert "[&lt;script>x&lt;/script> \\[a\\](b)](<../../runbook-evil.md>)" in page
    config = yaml.safe_load((tmp_path / "mk/mkdocs.yml").read_text())
    assert {"<script>x</script> [a](b)": "runbook-evil.md"} in config["nav"][2]["Runbooks"]


def test_the_service_page_lists_only_the_runbooks_own_sections(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    runbook = RUNBOOK.replace("team-api.\n", "team-api.\n\n> ## Impact\n\n- ## Listed\n")
    portal_workspace(tmp_path, **{f"{OPS}/runbook-api-server.md": runbook})
    _build_mkdocs(cli, tmp_path)
    page = (tmp_path / "mk/docs/portal/services/api-server.md").read_text(encoding="utf-8")
    assert "#escalation--ownership" in page
    # GitHub shows these inside their quote and list: they are not sections of the runbook
    assert "#impact" not in page and "#listed" not in page
