"""Find the SLOs to report on and measure each from the chosen source."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsdocs.documents.folder import read_documents
from opsdocs.documents.parse import Document
from opsdocs.errors import DocumentError, UsageError
from opsdocs.reports.report import SloReport, build_report, needed_windows
from opsdocs.reports.settings import ReportSettings, SourceName
from opsdocs.slo.spec import SloSpec
from opsdocs.workspace import Workspace

if TYPE_CHECKING:
    from opsdocs.reports.measurement import Measurement
    from opsdocs.sources.prometheus import PrometheusClient

__all__ = ["SloTarget", "find_slos", "report_slos"]


@dataclass(frozen=True)
class SloTarget:
    """One SLO and the document that defines it."""

    service: str
    slo: SloSpec
    index: int  # position in the document's slos list
    document: Document

    @property
    def key(self) -> str:
        return f"{self.service}/{self.slo.name}"


def _load(document: Document) -> tuple[str, list[SloSpec]] | None:
    from opsdocs.slo.validate import keyed, load_front_matter, ratio_label_problems

    data = document.require_front_matter()
    if not data.get("slos"):
        return None
    section, problems = load_front_matter(data)
    if section is not None:
        # the report divides as the rules do: queries whose labels cannot divide are refused
        for index, slo in enumerate(section.slos):
            problems.extend(ratio_label_problems(slo, ("slos", index, "indicator")))
    if problems:
        raise DocumentError.at(document, problems[0].key_path, keyed(problems[0]))
    assert section is not None
    return section.service, list(section.slos)


def find_slos(workspace: Workspace, selectors: Sequence[str] = ()) -> list[SloTarget]:
    """SLOs of the workspace's ``slo`` documents; ``selectors`` pick ``service/slo``, an SLO
    name, or a service (all when empty). Raises :class:`UsageError` for one that matches none."""
    targets: list[SloTarget] = []
    for document in read_documents(workspace, "slo"):
        loaded = _load(document)
        if loaded is None:
            continue
        service, slos = loaded
        targets.extend(SloTarget(service, slo, i, document) for i, slo in enumerate(slos))
    if not selectors:
        return targets
    chosen: list[SloTarget] = []
    for selector in selectors:
        hits = [t for t in targets if selector in (t.key, t.slo.name, t.service)]
        if not hits:
            known = ", ".join(t.key for t in targets) or "none"
            raise UsageError(
                f"no SLO matches {selector!r}",
                hint=f"name one of: {known}",
            )
        chosen.extend(t for t in hits if t not in chosen)
    return chosen


def open_prometheus(settings: ReportSettings, url: str | None = None) -> PrometheusClient:
    """A client for the configured Prometheus API (``url`` wins over the configuration).

    Raises :class:`UsageError` when no address is known or the token variable is not set.
    """
    from opsdocs.sources.prometheus import PrometheusClient

    url = url or settings.prometheus_url
    if not url:
        raise UsageError(
            "--source prometheus needs the address of the Prometheus API",
            hint="pass --prometheus-url or set report.prometheus_url in the configuration",
        )
    token = None
    if settings.token_env:
        token = os.environ.get(settings.token_env)
        if not token:
            raise UsageError(
                f"report.token_env names {settings.token_env}, which is not set",
                hint=f"export {settings.token_env}=<token>, or remove report.token_env",
            )
    return PrometheusClient(url, token=token, timeout=settings.timeout, retries=settings.retries)


def measure_target(
    workspace: Workspace,
    target: SloTarget,
    *,
    at: dt.datetime,
    windows: Sequence[int],
    client: PrometheusClient | None = None,
    with_steps: bool = False,
    progress: Callable[[float], None] | None = None,
    stale_after: int | None = None,
) -> Measurement:
    """Good and total events of one SLO over each window (seconds) ending at ``at``.

    From Prometheus through ``client`` when given, else from the SLO's request logs. The newest
    sample is looked for far enough back to tell its age past ``stale_after`` (seconds).
    """
    if client is not None:
        from opsdocs.reports.sources.prometheus import FRESHNESS_LOOKBACK, measure_prometheus

        return measure_prometheus(
            target.slo,
            client,
            at=at,
            windows=windows,
            with_steps=with_steps,
            progress=progress,
            freshness=max(FRESHNESS_LOOKBACK, 4 * (stale_after or 0)),
        )
    from opsdocs.reports.sources.logs import measure_logs

    where = f"{workspace.relative(target.document.path)}: slos[{target.index}].logs"
    return measure_logs(
        target.slo,
        root=workspace.root,
        at=at,
        windows=windows,
        where=where,
        progress=progress,
    )


def report_slos(
    workspace: Workspace,
    targets: Sequence[SloTarget],
    *,
    at: dt.datetime,
    source: SourceName,
    settings: ReportSettings,
    prometheus_url: str | None = None,
    with_steps: bool = False,
    progress: Callable[[str], Callable[[float], None] | None] | None = None,
) -> list[SloReport]:
    """Measure every target at ``at`` from ``source`` and build its report.

    ``progress(label)`` may return a callback that receives the percentage done while a large
    scan runs. Raises :class:`UsageError`/:class:`InputError` for a missing URL, unreadable logs,
    or an unreachable Prometheus.
    """
    from opsdocs.slo.settings import load_settings

    pairs = load_settings(
        workspace.config.section("slo"), source=workspace.config.source_label
    ).window_pairs()
    reports: list[SloReport] = []
    stale_after = settings.stale_after.seconds(source)
    client = open_prometheus(settings, prometheus_url) if source == "prometheus" else None
    try:
        for target in targets:
            callback = progress(target.key) if progress is not None else None
            measurement = measure_target(
                workspace,
                target,
                at=at,
                windows=needed_windows(target.slo, pairs),
                client=client,
                with_steps=with_steps,
                progress=callback,
                stale_after=stale_after,
            )
            reports.append(
                build_report(
                    target.service,
                    target.slo,
                    measurement,
                    document=workspace.relative(target.document.path),
                    pairs=pairs,
                    stale_after=stale_after,
                )
            )
    finally:
        if client is not None:
            client.close()
    return reports
