"""runbook_url → file and anchor: relative paths, mapped URL prefixes, static-site spellings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opsdocs.check.context import anchors_of as doc_anchors
from opsdocs.documents.parse import read_document
from opsdocs.monitoring.catalogue import Alert
from opsdocs.monitoring.runbooks import (
    alert_name_heading,
    check_anchor,
    expand_url_template,
    resolve_runbook_url,
)
from opsdocs.monitoring.settings import MonitoringSettings
from tests.conftest import build_tree

SITE = "https://runbooks.example.com/runbooks/"


def alert(name: str = "KubePodCrashLooping", **labels: str) -> Alert:
    return Alert(name, "g", "rules/x.yaml", 1, 1, "up", None, labels, {})


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_tree(
        tmp_path,
        {
            "runbooks/kubernetes/kubepodcrashlooping.md": "# Crash\n\n## Mitigation\n",
            "runbooks/node/README.md": "# Node\n\n## Node Down\n",
            "runbooks/etcd/index.md": "# etcd\n",
            "runbooks/Api/HighErrors.md": "# High errors\n",
            "rules/local.md": "# Beside the rules\n",
            "docs/runbook-api.md": "# API\n\n## Dashboards & Alerts\n",
        },
    )


def resolve(root: Path, url: str, *, insensitive: bool = False, a: Alert | None = None):  # type: ignore[no-untyped-def]
    settings = MonitoringSettings(
        runbook_urls={SITE: "runbooks/"}, case_insensitive_paths=insensitive
    )

    def anchors(path: str) -> set[str] | None:
        return doc_anchors(read_document(Path(path)))

    found = resolve_runbook_url(
        url, alert=a or alert(), root=str(root), rule_dir=str(root / "rules"), settings=settings
    )
    return check_anchor(found, anchors, str(root))


@pytest.mark.parametrize(
    ("url", "target", "anchor"),
    [
        (
            SITE + "kubernetes/kubepodcrashlooping",
            "runbooks/kubernetes/kubepodcrashlooping.md",
            None,
        ),
        (
            SITE + "kubernetes/kubepodcrashlooping/#mitigation",
            None,  # a trailing slash means a folder: README.md or index.md in it
            None,
        ),
        (
            SITE + "kubernetes/kubepodcrashlooping.md#mitigation",
            "runbooks/kubernetes/kubepodcrashlooping.md",
            "mitigation",
        ),
        (
            SITE + "kubernetes/kubepodcrashlooping.html",
            "runbooks/kubernetes/kubepodcrashlooping.md",
            None,
        ),
        (SITE + "node", "runbooks/node/README.md", None),
        (SITE + "node/#node-down", "runbooks/node/README.md", "node-down"),
        (SITE + "etcd/", "runbooks/etcd/index.md", None),
        (SITE + "etcd/index.html", "runbooks/etcd/index.md", None),
        ("local.md", "rules/local.md", None),
        ("../docs/runbook-api.md#dashboards--alerts", "docs/runbook-api.md", "dashboards--alerts"),
        ("/docs/runbook-api.md", "docs/runbook-api.md", None),
    ],
)
def test_urls_that_resolve(root: Path, url: str, target: str | None, anchor: str | None) -> None:
    result = resolve(root, url)
    if target is None:
        assert result.status == "no-file"
        return
    assert result.status == "ok", result.message
    assert Path(result.target or "") == root / target
    assert result.anchor == anchor


def test_a_missing_anchor_names_the_file_and_the_anchor(root: Path) -> None:
    result = resolve(root, SITE + "kubernetes/kubepodcrashlooping#restart-loop")
    assert result.status == "no-anchor"
    assert result.message == (
        f"runbook_url '{SITE}kubernetes/kubepodcrashlooping#restart-loop': "
        "runbooks/kubernetes/kubepodcrashlooping.md has no heading with anchor '#restart-loop'"
    )


def test_a_missing_file_says_where_it_looked(root: Path) -> None:
    result = resolve(root, SITE + "kubernetes/kubepodnotready")
    assert result.status == "no-file"
    assert result.hint is not None
    assert "runbooks/kubernetes/kubepodnotready.md" in result.hint


def test_case_insensitive_paths_when_the_site_lowercases(root: Path) -> None:
    assert resolve(root, SITE + "api/higherrors").status == "no-file"
    found = resolve(root, SITE + "api/higherrors", insensitive=True)
    assert found.status == "ok"
    assert Path(found.target or "") == root / "runbooks/Api/HighErrors.md"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (SITE + "my runbook", "white space"),
        ("javascript:alert(1)", "unsupported scheme 'javascript:'"),
        ("file:///etc/passwd", "unsupported scheme 'file:'"),
        ("../../../../../../etc/passwd", None),
    ],
)
def test_odd_urls_are_reported_not_followed(root: Path, url: str, words: str | None) -> None:
    result = resolve(root, url)
    assert result.status in ("invalid", "no-file")
    if words is not None:
        assert result.status == "invalid"
        assert words in (result.message or "")


def test_a_path_that_climbs_out_of_the_workspace_is_refused(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("# secret\n")
    url = os.path.relpath(outside / "secret.md", root / "rules")
    result = resolve(root, url)
    assert result.status == "invalid"
    assert "outside the workspace" in (result.message or "")


def test_symlinks_are_followed_inside_the_workspace_only(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A runbook that is a symlink, or in a symlinked folder, resolves when it leads to a file
    of the workspace; one that leads out of it is refused; one that leads nowhere is missing."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("# secret\n")
    links = root / "runbooks" / "links"
    links.mkdir()
    (links / "inside.md").symlink_to(root / "runbooks" / "etcd" / "index.md")
    (links / "outside.md").symlink_to(outside / "secret.md")
    (links / "dangling.md").symlink_to(root / "runbooks" / "gone.md")
    (links / "folder").symlink_to(outside, target_is_directory=True)
    (root / "runbooks" / "etcd-link").symlink_to(root / "runbooks" / "etcd")
    names = ["links/inside", "links/outside", "links/dangling", "links/folder/secret", "etcd-link/"]
    found = {
        name: (result.status, result.target and os.path.relpath(result.target, root))
        for name in names
        for result in [resolve(root, SITE + name)]
    }
    assert found == {
        "links/inside": ("ok", "runbooks/links/inside.md"),
        "links/outside": ("invalid", None),
        "links/dangling": ("no-file", None),
        "links/folder/secret": ("invalid", None),
        "etcd-link/": ("ok", "runbooks/etcd-link/index.md"),
    }


def test_other_sites_are_not_fetched(root: Path) -> None:
    assert resolve(root, "https://wiki.example.com/x").status == "external"


def test_label_templates_are_expanded_with_the_alert() -> None:
    a = alert("NodeDown", team="infra")
    url = "https://x/{{ $labels.team }}/{{ $labels.alertname | toLower }}"
    assert expand_url_template("https://x/{{ $labels.team }}/{{$labels.alertname}}", a) == (
        "https://x/infra/NodeDown"
    )
    assert "{{" in expand_url_template(url, a)


def test_templated_url_is_resolved_with_the_alert_name(root: Path) -> None:
    result = resolve(root, SITE + "kubernetes/{{ $labels.alertname }}", insensitive=True)
    assert result.status == "ok"


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("KubePodCrashLooping", "KubePodCrashLooping"),
        ("`APIServerDown`", "APIServerDown"),
        ("Dashboards", None),
        ("SLOs", None),
        ("High error rate", None),
    ],
)
def test_which_headings_name_alerts(heading: str, name: str | None) -> None:
    assert alert_name_heading(heading) == name
