"""The rule registry: every check ``opsdocs check`` knows, by code and by name.

A rule is a stable code (a family prefix and a number, never reused once retired), a kebab-case
name that names the defect, a default severity and the wiring that runs it; its module declares
it in one line (``Rule("ST002", "section-out-of-order", "warning", check=_order)``). Its
reference text (a one-line summary and a doc text in four parts: What it does / Why it matters /
Example / Use instead) is documentation, kept as data in the TOML file beside the module
(``structure.py``: ``structure.toml``), one table per code, and read only when something shows
it: ``opsdocs rule``, the pages under ``docs/rules/`` and SARIF output. A check run reads none.

Rules come in two scopes:

* ``document`` rules look at one parsed document (:class:`DocContext`). Their findings are cached
  by the document's content hash, so they must depend on nothing but the file's path and text
  (and the profiles of the configuration, which are part of the cache key).
* ``workspace`` rules run on every check over the per-document *facts* (kind, service, owner,
  anchors, links, ...), which are cached too; they answer questions across documents and
  questions that depend on the date or on other files (links, index, freshness).

A feature package adds rules by naming a module in its descriptor (:mod:`opsdocs.features`);
the module exposes ``RULES: list[Rule]`` and ships the TOML of their text beside it. A rule that
needs more per-document facts than the built-in ones gives a ``collect`` function; what it
returns (JSON-able) is cached and handed back to workspace rules in ``facts.extra[code]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from opsdocs.diagnostics import Diagnostic
from opsdocs.errors import UsageError
from opsdocs.features import rule_modules
from opsdocs.records import json_method

if TYPE_CHECKING:
    from pathlib import Path

    from opsdocs.check.context import DocContext
    from opsdocs.workspace import Workspace

__all__ = [
    "RULE_MODULES",
    "Rule",
    "RuleText",
    "Severity",
    "all_rules",
    "code_findings",
    "get_rule",
    "match_selector",
    "rule_texts",
    "select_family",
    "select_rules",
]

Severity = Literal["error", "warning"]
Scope = Literal["document", "workspace", "engine"]

#: Rule modules beyond those of the features (plug-ins, tests). A feature lists its own in its
#: descriptor (:mod:`opsdocs.features`).
RULE_MODULES: list[str] = []


class RuleText(NamedTuple):
    """A rule's reference text: the table of its code in the TOML file beside its module."""

    summary: str
    what: str
    why: str
    example: str
    instead: str


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    _: KW_ONLY
    scope: Scope = "document"
    check: Callable[[Any], Iterable[Diagnostic]] | None = None
    collect: Callable[[DocContext], Any] | None = None
    fixable: bool = False  # True too for a rule with a ``fix`` (its findings are offered to it)
    # A document fix: the document's new text (None: nothing to change). Rules without one are
    # fixed by check.fix itself (ST001, IX001) or not at all.
    fix: Callable[[DocContext], str | None] | None = None
    # Files outside the checked folders whose facts a workspace rule needs (the runbook folders
    # the alert catalogue links to): parsed and cached like documents, never reported. Given
    # the run's memo (see ``prepare``), it returns their real paths (``check.context.real_path``:
    # the rule knows them from its own walk, where the engine would stat each file again).
    context: Callable[[Workspace, dict[str, Any]], Iterable[str]] | None = None
    # Work a workspace rule can start before the documents are read (the AL rules find the
    # rule files and start promtool, which then runs on another core meanwhile): called with
    # the workspace, the run's memo (later ``WorkspaceContext.memo``) and the run's cache
    # folder (None: caching off). What it keeps in the memo with a ``load()`` method is loaded
    # while the worker processes parse the documents (the alert catalogue parses its rule
    # files); with a ``close()`` method, closed when the run ends.
    prepare: Callable[[Workspace, dict[str, Any], Path | None], None] | None = None
    source: str = field(default="", compare=False)  # module that registered it

    def __post_init__(self) -> None:
        if self.fix is not None:
            object.__setattr__(self, "fixable", True)

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")

    def run(self, context: Any) -> Iterator[Diagnostic]:
        if self.check is not None:
            yield from self.check(context)

    @property
    def text(self) -> RuleText:
        """The reference text, read from the TOML file beside the rule's module on first use."""
        return rule_texts(self.source or get_rule(self.code).source)[self.code]

    as_dict = json_method(
        "code",
        "name",
        ("summary", "text.summary"),
        "severity",
        "fixable",
        "scope",
        ("what_it_does", "text.what"),
        ("why_it_matters", "text.why"),
        ("example", "text.example"),
        ("use_instead", "text.instead"),
    )


def code_findings(
    code: str, findings: Callable[[Any], Iterable[Diagnostic]]
) -> Callable[[Any], Iterator[Diagnostic]]:
    """The check of a workspace rule whose family computes its findings in one analysis per run
    (``findings``, shared through ``WorkspaceContext.once``): those with the rule's ``code``."""

    def check(context: Any) -> Iterator[Diagnostic]:
        yield from (d for d in findings(context) if d.code == code)

    return check


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code. Raises RuntimeError on a duplicate code or name."""
    rules: list[Rule] = []
    for module_name in [*rule_modules(), *RULE_MODULES]:
        module = importlib.import_module(module_name)
        for rule in getattr(module, "RULES", []):
            rules.append(rule if rule.source else replace(rule, source=module_name))
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise RuntimeError(f"rule {key!r} registered twice ({seen[key]}, {rule.source})")
            seen[key] = rule.source
    return tuple(sorted(rules, key=lambda r: r.code))


#: The rule texts read so far, by rule module. A check run leaves it empty: only what shows the
#: text (``opsdocs rule``, the rule pages, SARIF output) reads the TOML.
_TEXTS: dict[str, dict[str, RuleText]] = {}


def rule_texts(module: str) -> dict[str, RuleText]:
    """Code -> reference text of the rules ``module`` declares, from the TOML file beside it.

    Raises RuntimeError, naming the file and the code, when a rule has no table, a table names
    no rule of the module, or a table lacks a key or has one it does not know.
    """
    texts = _TEXTS.get(module)
    if texts is None:
        texts = _TEXTS[module] = _read_texts(module)
    return texts


def _read_texts(module: str) -> dict[str, RuleText]:
    import tomllib
    from importlib.resources import files

    package, _, leaf = module.rpartition(".")
    where = f"{package.replace('.', '/')}/{leaf}.toml"
    try:
        tables = tomllib.loads((files(package) / f"{leaf}.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"{where}: cannot read the rule texts: {exc}") from exc
    codes = [rule.code for rule in getattr(importlib.import_module(module), "RULES", [])]
    for code in codes:
        if code not in tables:
            raise RuntimeError(f"{where}: no text for rule {code} (add a [{code}] table)")
    texts: dict[str, RuleText] = {}
    for code, table in tables.items():
        if code not in codes:
            raise RuntimeError(f"{where}: [{code}] is no rule of {module}")
        for key in table:
            if key not in RuleText._fields:
                raise RuntimeError(
                    f"{where}: [{code}] has an unknown key {key!r} "
                    f"(the keys are {', '.join(RuleText._fields)})"
                )
        for key in RuleText._fields:
            if not isinstance(table.get(key), str):
                raise RuntimeError(f"{where}: [{code}] needs {key!r}, a string")
        texts[code] = RuleText(**table)
    return texts


def get_rule(key: str) -> Rule:
    """The rule with code or name ``key`` (codes case-insensitive); UsageError if unknown."""
    wanted = key.strip()
    for rule in all_rules():
        if rule.code == wanted.upper() or rule.name == wanted.lower():
            return rule
    raise UsageError(f"unknown rule {key!r}", hint="run 'opsdocs rule --all' to list the rules")


def match_selector(selector: str, rule: Rule) -> bool:
    """True when ``selector`` (ALL, a code, a code prefix or a name) picks ``rule``."""
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    return rule.code.startswith(s.upper()) or rule.name == s.lower()


def _check_selectors(selectors: Iterable[str], where: str) -> None:
    rules = all_rules()
    for selector in selectors:
        if not any(match_selector(selector, rule) for rule in rules):
            raise UsageError(
                f"{where}: {selector!r} matches no rule",
                hint="use a code (ST001), a prefix (ST) or a name; see 'opsdocs rule --all'",
            )


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> frozenset[str]:
    """Codes of the rules enabled by ``select`` (default: all) minus ``ignore``.

    Raises :class:`UsageError` for a selector that matches no rule.
    """
    select, ignore = list(select), list(ignore)
    _check_selectors(select, "select")
    _check_selectors(ignore, "ignore")
    chosen = {
        r.code for r in all_rules() if not select or any(match_selector(s, r) for s in select)
    }
    return frozenset(c for c in chosen if not any(match_selector(s, get_rule(c)) for s in ignore))


def select_family(family: str, select: Sequence[str]) -> list[str]:
    """The selectors for a command that runs only the ``family`` rules (``AL``): ``select``, or
    the whole family when it is empty. Raises :class:`UsageError` when ``select`` picks a rule
    outside the family (or matches no rule)."""
    if not select:
        return [family]
    others = sorted(code for code in select_rules(select) if not code.startswith(family))
    if others:
        raise UsageError(
            f"--select picks rules outside the {family} family ({', '.join(others[:3])})",
            hint="use 'opsdocs check' for other rules",
        )
    return list(select)
