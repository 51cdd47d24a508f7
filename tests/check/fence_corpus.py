"""A generator of runbooks shaped like the ones teams write, with code fences in every container.

Each runbook is built block by block; the generator knows which fences it left open (and where),
so a test can measure ST006's precision and recall: no finding on a closed fence, a finding on
every fence that runs to the end of its container or of the file.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

FRONT_MATTER = """---
kind: runbook
title: {title}
owner: team-{service}
service: {service}
last_reviewed: 2026-05-01
---
"""

SECTIONS = [
    "Service Overview",
    "SLOs / SLIs",
    "Dashboards & Alerts",
    "Common Failures & Diagnostics",
    "Step-by-step Procedures",
    "Escalation & Ownership",
    "DR / Backup / Restore",
]

COMMANDS = [
    "kubectl -n {svc} rollout restart deploy/{svc}",
    "kubectl -n {svc} get pods -o wide",
    'curl -fsS https://{svc}.internal/healthz | jq ".status"',
    "psql -h db-{svc} -c 'select count(*) from jobs where state = ''stuck'';'",
    "journalctl -u {svc} --since '-15m' | grep -i error",
    "aws s3 ls s3://backups-{svc}/ --recursive | tail -n 5",
    "# a comment line\nexport LEVEL=debug",
    "```not a closer: it has text after it",
    "  ~~~ indented tildes inside a backtick fence",
]


@dataclass
class Runbook:
    text: str
    unclosed: list[int] = field(default_factory=list)  # file lines of fences left open


class _Writer:
    def __init__(self, rng: random.Random, service: str) -> None:
        self.rng = rng
        self.svc = service
        self.lines: list[str] = []
        self.unclosed: list[int] = []

    def add(self, *lines: str) -> None:
        for line in lines:
            self.lines.extend(line.split("\n"))

    @property
    def next_line(self) -> int:
        return len(self.lines) + 1

    def command(self) -> list[str]:
        count = self.rng.randint(1, 3)
        text = "\n".join(self.rng.choice(COMMANDS) for _ in range(count)).format(svc=self.svc)
        return text.split("\n")

    def fence(self, prefix: str, *, closed: bool = True, first: str | None = None) -> None:
        """A fence whose every line starts with ``prefix`` (the container's), closed or not.

        ``first`` replaces the prefix on the opening line (a list marker: ``1. ``).
        """
        rng = self.rng
        char = rng.choice("`~") if rng.random() < 0.3 else "`"
        size = rng.choice([3, 3, 3, 4, 5])
        info = rng.choice(["", "bash", "sh", "console", "yaml", "sql", " bash", "text {.wide}"])
        if char == "`":
            info = info.replace("`", "")
        opener = char * size + info
        self.note_open(closed)
        self.add((first if first is not None else prefix) + opener)
        body = self.command()
        if char == "`" and rng.random() < 0.2:
            body.append("~~~")  # the other fence character never closes
        if rng.random() < 0.15:
            body.append(char * (size - 1) if size > 3 else "")  # shorter: not a closer
        if rng.random() < 0.15:
            body.insert(1, "")  # a blank line inside the code
        for line in body:
            self.add((prefix + line) if line else prefix.rstrip())
        if closed:
            pad = " " * rng.choice([0, 0, 0, 1, 2, 3])  # up to three spaces past the container
            self.add(prefix + pad + char * (size + rng.choice([0, 0, 1])) + rng.choice(["", "  "]))

    def note_open(self, closed: bool) -> None:
        if not closed:
            self.unclosed.append(self.next_line)


# -- blocks: each appends a few lines and a blank line after ---------------------------------


def _paragraph(w: _Writer) -> None:
    w.add(
        w.rng.choice(
            [
                "If the error rate stays above 5 % for ten minutes, page the on-call engineer.",
                "Check the dashboard first; most alerts clear on their own within a minute.",
                "The service keeps its state in Postgres and a Redis cache in front of it.",
            ]
        ),
        "",
    )


def _top_fence(w: _Writer) -> None:
    w.add("Run:", "")
    w.fence("")
    w.add("")


def _list_fence(w: _Writer) -> None:
    marker = w.rng.choice(["1. ", "- ", "* ", "1)  ", "-   ", "10. "])
    indent = " " * len(marker)
    w.add(f"{marker}Restart the deployment:")
    if w.rng.random() < 0.6:
        w.add("")
    w.fence(indent)
    w.add("")
    w.add(f"{marker.replace('1', '2').replace('10', '11')}Watch the pods come back.", "")


def _list_item_opens_with_fence(w: _Writer) -> None:
    marker = w.rng.choice(["- ", "1. ", "*   "])
    w.fence(" " * len(marker), first=marker)
    w.add("")


def _nested_list_fence(w: _Writer) -> None:
    outer = w.rng.choice(["1. ", "- "])
    inner = w.rng.choice(["- ", "* ", "1. "])
    pad = " " * len(outer)
    w.add(f"{outer}Diagnose:", f"{pad}{inner}Look at the logs:")
    if w.rng.random() < 0.5:
        w.add("")
    w.fence(pad + " " * len(inner))
    w.add(f"{pad}{inner}Then the metrics.", "")


def _quote_fence(w: _Writer) -> None:
    prefix = w.rng.choice(["> ", ">", "> > "])
    w.add(f"{prefix}**Note**: the migration needs a lock.")
    w.add(prefix.rstrip())
    w.fence(prefix)
    w.add("")


def _list_in_quote_fence(w: _Writer) -> None:
    w.add("> 1. Drain the node:", ">")
    w.fence(">    ")
    w.add("")


def _quote_in_list_fence(w: _Writer) -> None:
    w.add("- Known issue:", "")
    w.fence("  > ")
    w.add("")


def _table(w: _Writer) -> None:
    w.add(
        "| Alert | Meaning | First step |",
        "| --- | --- | --- |",
        "| `HighErrorRate` | 5xx above budget | check deploys |",
        "| `Latency` | p99 over 300 ms | ```see below``` |",
        "",
    )


def _html_block(w: _Writer) -> None:
    w.add("<details>", "<summary>Full command output</summary>", "")
    w.fence("")
    w.add("", "</details>", "")


def _html_with_fence_text(w: _Writer) -> None:
    # fence characters inside an HTML block are HTML, not a fence
    w.add('<div class="warning">', "```", "not a fence", "</div>", "")


def _indented_code(w: _Writer) -> None:
    w.add("Old style:", "", "    ```", "    indented code, not a fence", "")


BLOCKS: list[Callable[[_Writer], None]] = [
    _paragraph,
    _top_fence,
    _list_fence,
    _list_item_opens_with_fence,
    _nested_list_fence,
    _quote_fence,
    _list_in_quote_fence,
    _quote_in_list_fence,
    _table,
    _html_block,
    _html_with_fence_text,
    _indented_code,
]


# -- fences left open, each really running to the end of its container ----------------------


def _open_in_list(w: _Writer) -> None:
    w.add("1. Restart:", "")
    w.fence("   ", closed=False)
    w.add("", "Back at the left margin: the list, and the code, ended above.", "")


def _open_in_quote(w: _Writer) -> None:
    w.add("> Careful:")
    w.fence("> ", closed=False)
    w.add("", "The quote ended at the blank line, and the code with it.", "")


def _open_in_nested_list(w: _Writer) -> None:
    w.add("- Outer:", "  - Inner:", "")
    w.fence("    ", closed=False)
    w.add("", "Paragraph at the margin.", "")


def _closed_too_deep(w: _Writer) -> None:
    # the closing fence is indented four spaces past the item's content: it is code, not a
    # closer, and the fence runs to the end of the item
    w.add("- Step:", "")
    w.note_open(False)
    w.add("  ```bash", "  make deploy", "      ```", "", "Margin paragraph.", "")


OPEN_IN_CONTAINER: list[Callable[[_Writer], None]] = [
    _open_in_list,
    _open_in_quote,
    _open_in_nested_list,
    _closed_too_deep,
]


def runbook(seed: int) -> Runbook:
    """Runbook number ``seed``: every third has a fence left open (in a container, or at the end
    of the file)."""
    rng = random.Random(seed)
    service = f"svc{seed}"
    w = _Writer(rng, service)
    w.add(FRONT_MATTER.format(title=f"Svc{seed} runbook", service=service))
    w.add(f"# Svc{seed} runbook", "")
    broken = seed % 3 == 0
    open_at = rng.randrange(len(SECTIONS)) if broken and rng.random() < 0.6 else None
    for i, title in enumerate(SECTIONS):
        w.add(f"## {title}", "")
        for _ in range(rng.randint(1, 4)):
            rng.choice(BLOCKS)(w)
        if i == open_at:
            rng.choice(OPEN_IN_CONTAINER)(w)
    if broken and open_at is None:
        w.add("Last command:", "")
        w.fence(rng.choice(["", "   "]), closed=False)  # runs to the end of the file
    return Runbook("\n".join(w.lines) + "\n", w.unclosed)


def corpus(count: int) -> dict[str, Runbook]:
    """``count`` runbooks by file name."""
    return {f"runbook-svc{seed}.md": runbook(seed) for seed in range(count)}
