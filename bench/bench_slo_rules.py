"""Benchmark: Prometheus rules for 1,000 SLO documents, next to the floor.

The floor reads the same documents as opsdocs reads a workspace's documents (listed in the
folder, parsed by the shared parser, front matter included) and writes the same rule files
without compiling anything. A run of the rules is what `opsdocs slo rules` does in
the library (``plan_workspace_rules``: the cache key over the whole effective configuration,
reading the documents and runbooks, duplicate ids, orphans), then the same writes as the floor.
A cold run validates (schema, placeholders, PromQL parse) and compiles every document; a warm run
finds every document unchanged in the content-hash cache (the second run). Every run starts
with opsdocs's in-process memos emptied, as in a fresh process. Targets: a warm run within
1.3 × the floor, a cold run within 3 ×. Prints all three, both ratios (wall clock and CPU) and
whether each target is met; exits 1 when one is missed (CPU time decides: wall clock on a
shared machine measures the other processes too).

Each document holds the same two SLOs for its own service, as documents written from one
template do; ``--unique-slos`` names every SLO apart. (There is one code path either way: the
flag is kept to show that nothing is shared behind the scenes.)

    python bench/bench_slo_rules.py [--docs 1000] [--repeat 3] [--unique-slos]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from opsdocs.documents.folder import read_documents
from opsdocs.slo.rules import plan_workspace_rules
from opsdocs.slo.settings import SloSettings
from opsdocs.workspace import Workspace

DOC = """---
kind: slo
title: Service {i} SLOs
owner: team-{team}
service: svc-{i}
last_reviewed: 2026-11-01
slos:
  - name: availability{suffix}
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{{job="svc-{i}",code=~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total{{job="svc-{i}"}}[{{{{window}}}}]))
    alerting:
      page: {{labels: {{severity: critical}}}}
  - name: latency{suffix}
    objective: 99
    period: 28d
    no_data: good
    indicator:
      type: latency
      metric: http_request_duration_seconds_bucket
      selector: job="svc-{i}"
      threshold: 0.3
---

# Service {i} SLOs

## Service

Service {i}.

## SLO Target

99.9 % of requests succeed; 99 % are faster than 300 ms.
"""


def make_docs(folder: Path, count: int, unique: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"slo-svc-{i}.md"
        suffix = f"-{i}" if unique else ""
        path.write_text(DOC.format(i=i, team=i % 7, suffix=suffix), encoding="utf-8")
        paths.append(path)
    return paths


def clear_memos() -> None:
    """Empty every in-process memo (``functools.lru_cache``) of opsdocs, so that each timed run
    starts as a fresh ``opsdocs slo rules`` process would, with nothing remembered from the
    warm-up or an earlier run; only the imports stay done. (A memo made of another module's
    function, ``lru_cache(maxsize=256)(format_duration)``, is emptied too.)"""
    for name, module in list(sys.modules.items()):
        if name != "opsdocs" and not name.startswith("opsdocs."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and str(getattr(value, "__module__", "")).startswith("opsdocs"):
                clear()


def write_all(outputs: list[tuple[Path, str]]) -> None:
    for path, text in outputs:
        path.write_text(text, encoding="utf-8")


def run_rules(workspace: Workspace, use_cache: bool = True) -> list[tuple[Path, str]]:
    plan = plan_workspace_rules(workspace, SloSettings(), use_cache=use_cache)
    assert not plan.errors and not plan.orphans, (plan.errors[:3], plan.orphans[:3])
    outputs = [(o.path, o.text) for o in plan.outputs]
    write_all(outputs)
    return outputs


def run_floor(workspace: Workspace, expected: dict[str, str], out: Path) -> None:
    outputs = []
    for doc in read_documents(workspace, "slo"):
        assert doc.front_matter is not None
        outputs.append((out / f"{doc.path.stem}.yaml", expected[doc.path.stem]))
    write_all(outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold-target", type=float, default=3.0)
    parser.add_argument("--warm-target", type=float, default=1.3)
    parser.add_argument(
        "--unique-slos",
        action="store_true",
        help="name every SLO after its document, so that no two SLOs share their text",
    )
    args = parser.parse_args()
    times: dict[str, list[float]] = {"floor": [], "cold": [], "warm": []}
    cpu: dict[str, list[float]] = {"floor": [], "cold": [], "warm": []}

    def timed(name: str, func: Callable[[], object]) -> None:
        clear_memos()
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        times[name].append(time.perf_counter() - start)
        cpu[name].append(time.process_time() - start_cpu)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()  # the workspace's root
        workspace = Workspace.discover(root=root)
        out = root / SloSettings().output_dir
        out.mkdir(parents=True)
        make_docs(workspace.docs_dir, args.docs, args.unique_slos)
        # warm-up; also gives the floor its texts
        outputs = run_rules(workspace, use_cache=False)
        expected = {p.stem: t for p, t in outputs}
        for _ in range(args.repeat):
            shutil.rmtree(workspace.state_path("cache"), ignore_errors=True)
            timed("floor", lambda: run_floor(workspace, expected, out))
            timed("cold", lambda: run_rules(workspace))
            timed("warm", lambda: run_rules(workspace))
    wall = {k: statistics.median(v) for k, v in times.items()}
    proc = {k: statistics.median(v) for k, v in cpu.items()}
    rules = sum(t.count("\n      - record:") + t.count("\n      - alert:") for _, t in outputs)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} Python "
        f"{platform.python_version()} on {platform.system()}"
    )
    unique = ", every SLO named apart" if args.unique_slos else ""
    print(f"documents: {args.docs}, SLOs: {2 * args.docs}{unique}, rules: {rules}")
    labels = {
        "floor": "floor (read + write)",
        "cold": "rules, cold (read + validate + compile + write)",
        "warm": "rules, warm (read + cache hit + write)",
    }
    for name, text in labels.items():
        line = f"{text:48} {wall[name]:.3f} s wall, {proc[name]:.3f} s CPU"
        if name != "floor":
            line += f"  = {wall[name] / wall['floor']:.2f} x wall, "
            line += f"{proc[name] / proc['floor']:.2f} x CPU"
        print(line)
    met = True
    for name, target in (("warm", args.warm_target), ("cold", args.cold_target)):
        ratio = proc[name] / proc["floor"]
        ok = ratio <= target
        met = met and ok
        print(
            f"{name} / floor: {wall[name] / wall['floor']:.2f} x wall, {ratio:.2f} x CPU"
            f" (target <= {target:g} x: {'met' if ok else 'MISSED'}; median of {args.repeat} runs)"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
