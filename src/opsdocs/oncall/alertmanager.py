"""Alertmanager routing from the ladder and the teams, and the proof that it routes as meant.

:func:`build_config` writes a route tree: one route per severity of the ladder (its
``repeat_interval`` is the severity's ``update_every``), below each paging severity one route per
team (by the ``team`` label, then by the ``service`` label for the services the team's runbooks
own) to the team's pager receiver; ticket severities (those that page nobody) go to the ticket
receiver, anything else to the default one. Page alerts inhibit ticket alerts of the same SLO.

:func:`resolve` answers, for a label set, which receivers Alertmanager would choose, following its
rules (children in order, the first match wins unless ``continue``, receivers inherited); it reads
hand-written configurations too. :func:`amtool_check` and :func:`amtool_route` ask the real
``amtool`` the same questions.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsdocs.errors import InputError, UsageError
from opsdocs.records import json_method

if TYPE_CHECKING:
    from opsdocs.incidents.policy import Playbook, Severity
    from opsdocs.oncall.settings import AlertmanagerSettings
    from opsdocs.workspace import Workspace
    from opsdocs.yamlio import YamlData

__all__ = [
    "DEFAULT_RECEIVER",
    "TICKET_RECEIVER",
    "AlertmanagerConfig",
    "RouteCase",
    "RouteProof",
    "RoutedCase",
    "Routing",
    "alertmanager_config",
    "amtool_check",
    "amtool_route",
    "build_config",
    "is_pager",
    "load_alertmanager_config",
    "pager_receiver",
    "plan_routing",
    "prove_config",
    "render_config",
    "resolve",
    "route_cases",
    "routed",
    "routes_of",
]

DEFAULT_RECEIVER = "default"
TICKET_RECEIVER = "tickets"
#: Receiver config keys that reach a person's phone.
_PAGING_CONFIGS = ("pagerduty_configs", "opsgenie_configs", "victorops_configs")
#: Without an ``update_every``, a ticket or a default alert is repeated once a day.
_DEFAULT_REPEAT = "24h"
#: The JSON keys of a route case, in order; a proof's and a routed case's JSON start with them.
_CASE_KEYS = ("severity", "team", "labels", "expected", "paging")
_OF_CASE: tuple[tuple[str, str], ...] = tuple((key, f"case.{key}") for key in _CASE_KEYS)


def pager_receiver(team: str) -> str:
    """The name of a team's pager receiver in generated configurations."""
    return f"{team}-pager"


def is_pager(name: str, receiver: Mapping[str, Any] | None) -> bool:
    """Whether a receiver pages someone: it has a PagerDuty, Opsgenie or VictorOps config, or it
    is named as a pager (``team-api-pager``)."""
    if receiver is not None and any(receiver.get(key) for key in _PAGING_CONFIGS):
        return True
    return name.endswith("-pager") or name.endswith("-pagers")


@dataclass(frozen=True)
class RouteCase:
    """A label set of the ladder and the teams, and the receiver opsdocs expects for it."""

    severity: str
    team: str
    labels: dict[str, str]
    expected: str
    paging: bool

    as_dict = json_method(*_CASE_KEYS)


@dataclass
class Routing:
    """What generating needs: the ladder, the teams and which team owns which service."""

    severities: list[Severity]
    teams: list[str]
    services: dict[str, list[str]]  # team -> services its runbooks own
    settings: AlertmanagerSettings


def plan_routing(workspace: Workspace) -> Routing:
    """The ladder (the playbook's), the teams with a schedule, the services each owns, and the
    ``[oncall.alertmanager]`` settings."""
    from opsdocs.documents.folder import read_documents
    from opsdocs.incidents.policy import load_playbook
    from opsdocs.oncall.roster import load_roster
    from opsdocs.oncall.settings import load_settings

    roster = load_roster(workspace)
    settings = load_settings(workspace.config).alertmanager
    playbook: Playbook = load_playbook(workspace)
    services: dict[str, list[str]] = {}
    for doc in read_documents(workspace, "runbook"):
        owner, service = doc.get("owner"), doc.get("service")
        if isinstance(owner, str) and isinstance(service, str) and owner in roster.teams:
            services.setdefault(owner, []).append(service)
    return Routing(
        list(playbook.severities),
        roster.names(),
        {team: sorted(set(names)) for team, names in services.items()},
        settings,
    )


def _matcher(label: str, values: Sequence[str]) -> str:
    if len(values) == 1:
        return f"{label}={json.dumps(values[0])}"
    return f"{label}=~{json.dumps('|'.join(re.escape(v) for v in values))}"


def route_cases(routing: Routing) -> list[RouteCase]:
    """Every severity × team label set (and severity × service, for the services the team's
    runbooks own) with the receiver it must reach."""
    s = routing.settings
    cases = []
    for severity in routing.severities:
        for team in routing.teams:
            paging = bool(severity.page)
            expected = pager_receiver(team) if paging else TICKET_RECEIVER
            labels = {s.severity_label: severity.name, s.team_label: team}
            cases.append(RouteCase(severity.name, team, labels, expected, paging))
            for service in routing.services.get(team, []):
                # an alert that names only its service reaches the team that owns it
                labels = {s.severity_label: severity.name, s.service_label: service}
                cases.append(RouteCase(severity.name, team, labels, expected, paging))
    return cases


def build_config(routing: Routing) -> dict[str, Any]:
    """The Alertmanager configuration (a mapping ready to be written as YAML)."""
    s = routing.settings
    paging = [sv for sv in routing.severities if sv.page]
    tickets = [sv for sv in routing.severities if not sv.page]
    # below each paging severity: by team, then by the services the team's runbooks own
    children = [
        {"matchers": [_matcher(s.team_label, [team])], "receiver": pager_receiver(team)}
        for team in routing.teams
    ] + [
        {"matchers": [_matcher(s.service_label, owned)], "receiver": pager_receiver(team)}
        for team in routing.teams
        if (owned := routing.services.get(team, []))
    ]
    routes: list[dict[str, Any]] = []
    for severity in (*paging, *tickets):
        route: dict[str, Any] = {
            "matchers": [_matcher(s.severity_label, [severity.name])],
            "receiver": DEFAULT_RECEIVER if severity.page else TICKET_RECEIVER,
            "repeat_interval": _interval(severity),
        }
        if severity.page and children:
            route["routes"] = copy.deepcopy(children)  # a mapping of its own for each
        routes.append(route)
    names = [DEFAULT_RECEIVER, TICKET_RECEIVER] + [pager_receiver(t) for t in routing.teams]
    receivers = [
        {"name": name, "webhook_configs": [{"url": s.url(name), "send_resolved": True}]}
        for name in names
    ]
    inhibit: list[dict[str, Any]] = [
        {
            # opsdocs SLO alerts: the page alert silences the ticket alert of the same SLO
            "source_matchers": ['slo_severity="page"'],
            "target_matchers": ['slo_severity="ticket"'],
            "equal": ["slo_id"],
        }
    ]
    if paging and tickets:
        inhibit.append(
            {
                # slo_id must be set: two alerts without it would count as "equal"
                "source_matchers": [
                    _matcher(s.severity_label, [sv.name for sv in paging]),
                    'slo_id=~".+"',
                ],
                "target_matchers": [_matcher(s.severity_label, [sv.name for sv in tickets])],
                "equal": ["slo_id"],
            }
        )
    return {
        "route": {
            "receiver": DEFAULT_RECEIVER,
            "group_by": list(s.group_by),
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": _DEFAULT_REPEAT,
            "routes": routes,
        },
        "receivers": receivers,
        "inhibit_rules": inhibit,
    }


def _interval(severity: Severity) -> str:
    """The severity's update cadence as an Alertmanager duration (``1h``, ``30m``)."""
    if severity.update_every is None:
        return _DEFAULT_REPEAT
    return severity.update_every.replace(" ", "")


HEADER = (
    "# Generated by 'opsdocs oncall alertmanager' from the severity ladder and the on-call\n"
    "# schedules. Receivers are placeholders until configured\n"
    "# ([tool.opsdocs.oncall.alertmanager] webhook_url, receivers).\n"
)


def render_config(config: Mapping[str, Any]) -> str:
    """The configuration as YAML, with a header saying where it comes from."""
    from opsdocs.yamlio import dump_yaml

    return HEADER + dump_yaml(dict(config))


def load_alertmanager_config(path: Path) -> YamlData:
    """A hand-written Alertmanager configuration (safe YAML, with the positions of its keys);
    InputError when it is not one."""
    from opsdocs.yamlio import load_yaml

    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    data = load_yaml(text, path=path)
    if not isinstance(data.value, dict) or not isinstance(data.value.get("route"), dict):
        raise InputError(
            "not an Alertmanager configuration: no 'route'",
            path=path,
            line=1,
            hint="give the file Alertmanager reads (alertmanager.yml)",
        )
    return data


# -- resolving routes as Alertmanager does ------------------------------------------------------

_MATCHER = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^(?:{pattern})$")


def _parse_matcher(text: str) -> tuple[str, str, str]:
    match = _MATCHER.match(text.strip().strip("{}"))
    if match is None:
        raise InputError(f"cannot read matcher {text!r}", hint='write it as label="value"')
    name, op, value = match.groups()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = json.loads(value)
    return name, op, value


def _matches(route: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    matchers: list[tuple[str, str, str]] = []
    for key, value in (route.get("match") or {}).items():
        matchers.append((str(key), "=", str(value)))
    for key, value in (route.get("match_re") or {}).items():
        matchers.append((str(key), "=~", str(value)))
    for text in route.get("matchers") or []:
        matchers.append(_parse_matcher(str(text)))
    for name, op, value in matchers:
        have = labels.get(name, "")
        matched = have == value if op in ("=", "!=") else _regex(value).match(have) is not None
        if matched == op.startswith("!"):  # "!=" and "!~" pass when the value does not match
            return False
    return True


def _walk(route: Mapping[str, Any], labels: Mapping[str, str], receiver: str) -> list[str]:
    receiver = str(route.get("receiver") or receiver)
    found: list[str] = []
    for child in route.get("routes") or []:
        if not isinstance(child, Mapping) or not _matches(child, labels):
            continue
        found.extend(_walk(child, labels, receiver))
        if not child.get("continue"):
            break
    return found or [receiver]


def resolve(config: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """The receivers Alertmanager chooses for an alert with ``labels``."""
    root = config.get("route")
    if not isinstance(root, Mapping):
        return []
    return _walk(root, labels, "")


# -- amtool -------------------------------------------------------------------------------------


def _amtool(args: Sequence[str], *, what: str) -> subprocess.CompletedProcess[str]:
    import shutil

    binary = shutil.which("amtool")
    if binary is None:
        raise UsageError(
            f"{what} needs amtool, which is not installed",
            hint="install Alertmanager's amtool (Debian: prometheus-alertmanager)",
        )
    try:
        return subprocess.run(
            [binary, *args], capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"amtool did not answer within 60 s ({what})") from None


def amtool_check(path: Path) -> str | None:
    """``amtool check-config``'s complaint about ``path``, or None when it passes."""
    result = _amtool(["check-config", str(path)], what="--tests")
    if result.returncode == 0:
        return None
    lines = [ln.strip() for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    return next((ln for ln in lines if "FAILED" in ln or "error" in ln.lower()), lines[-1])


def amtool_route(path: Path, labels: Mapping[str, str]) -> list[str]:
    """The receivers ``amtool config routes test`` resolves for ``labels``."""
    pairs = [f"{key}={value}" for key, value in labels.items()]
    result = _amtool(["config", "routes", "test", f"--config.file={path}", *pairs], what="--tests")
    if result.returncode != 0:
        raise InputError(
            f"amtool config routes test failed: {result.stderr.strip() or result.stdout.strip()}",
            path=path,
        )
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return [name for name in line.split(",") if name]


@dataclass(frozen=True)
class RouteProof:
    """A case, the receivers opsdocs resolves, and the ones amtool resolves."""

    case: RouteCase
    resolved: list[str]
    amtool: list[str]

    @property
    def ok(self) -> bool:
        return self.resolved == self.amtool == [self.case.expected]

    as_dict = json_method(*_OF_CASE, "resolved", "amtool")


def prove_config(
    config: Mapping[str, Any], text: str, cases: Sequence[RouteCase]
) -> list[RouteProof]:
    """Each case resolved by opsdocs and by ``amtool config routes test``, on ``text`` (the
    rendered ``config``) written to a temporary file; :class:`InputError` when ``amtool
    check-config`` rejects it."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="opsdocs-am-") as folder:
        path = Path(folder) / "alertmanager.yml"
        path.write_text(text, encoding="utf-8")
        problem = amtool_check(path)
        if problem is not None:
            raise InputError(f"amtool check-config rejects the configuration: {problem}")
        return [
            RouteProof(case, resolve(config, case.labels), amtool_route(path, case.labels))
            for case in cases
        ]


@dataclass(frozen=True)
class AlertmanagerConfig:
    """What ``opsdocs oncall alertmanager`` writes, and its route tests when it was proven."""

    text: str
    proofs: list[RouteProof] | None = None

    @property
    def failed(self) -> int:
        """How many route tests amtool resolved otherwise than opsdocs."""
        return sum(not proof.ok for proof in self.proofs or [])


def alertmanager_config(workspace: Workspace, *, prove: bool = False) -> AlertmanagerConfig:
    """The workspace's Alertmanager configuration as YAML; with ``prove``, each severity × team
    case tested with amtool (:func:`prove_config`) on the text that would be written."""
    routing = plan_routing(workspace)
    config = build_config(routing)
    text = render_config(config)
    if not prove:
        return AlertmanagerConfig(text)
    return AlertmanagerConfig(text, prove_config(config, text, route_cases(routing)))


@dataclass(frozen=True)
class RoutedCase:
    """A case, the receivers a configuration chooses for it, and whether one of them pages."""

    case: RouteCase
    receivers: list[str]
    pages: bool

    @property
    def unpaged(self) -> bool:
        """Whether the case's severity pages but its alert reaches no pager receiver."""
        return self.case.paging and not self.pages

    as_dict = json_method(*_OF_CASE, "receivers", "pages")


def routed(config: Mapping[str, Any], cases: Sequence[RouteCase]) -> list[RoutedCase]:
    """Each case with the receivers ``config`` chooses for it."""
    receivers = {
        str(r.get("name")): r for r in config.get("receivers") or [] if isinstance(r, Mapping)
    }
    found = []
    for case in cases:
        chosen = resolve(config, case.labels)
        found.append(RoutedCase(case, chosen, any(is_pager(n, receivers.get(n)) for n in chosen)))
    return found


def routes_of(workspace: Workspace, config_path: Path) -> list[RoutedCase]:
    """Every severity × team case of the workspace's ladder and teams, routed by the
    Alertmanager configuration at ``config_path``."""
    cases = route_cases(plan_routing(workspace))
    return routed(load_alertmanager_config(config_path).value, cases)
