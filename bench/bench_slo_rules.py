"""Benchmark: Prometheus rules for 1,000 SLO documents, next to the floor.

The floor reads the same documents (the shared parser, front matter included) and writes the same
rule files without compiling anything; the run reads, validates (schema, placeholders, PromQL
parse), compiles and writes. Target: at most 2 × the floor. Prints both and the ratio.

    python bench/bench_slo_rules.py [--docs 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from opsdocs.documents.parse import read_document
from opsdocs.slo.rules import load_slo_document, plan_rules
from opsdocs.slo.settings import SloSettings

DOC = """---
kind: slo
title: Service {i} SLOs
owner: team-{team}
service: svc-{i}
last_reviewed: 2026-11-01
slos:
  - name: availability
    objective: 99.9
    indicator:
      type: ratio
      errors: sum(rate(http_requests_total{{job="svc-{i}",code=~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total{{job="svc-{i}"}}[{{{{window}}}}]))
    alerting:
      page: {{labels: {{severity: critical}}}}
  - name: latency
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


def make_docs(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"slo-svc-{i}.md"
        path.write_text(DOC.format(i=i, team=i % 7), encoding="utf-8")
        paths.append(path)
    return paths


def write_all(outputs: list[tuple[Path, str]]) -> None:
    for path, text in outputs:
        path.write_text(text, encoding="utf-8")


def run_compile(paths: list[Path], out: Path) -> list[tuple[Path, str]]:
    settings = SloSettings()
    loaded = [load_slo_document(read_document(p), settings) for p in paths]
    plan = plan_rules(loaded, out, settings=settings)
    assert not plan.errors, plan.errors[:3]
    outputs = [(o.path, o.text) for o in plan.outputs]
    write_all(outputs)
    return outputs


def run_floor(paths: list[Path], expected: dict[str, str], out: Path) -> None:
    outputs = []
    for path in paths:
        doc = read_document(path)
        assert doc.front_matter is not None
        outputs.append((out / f"{path.stem}.yaml", expected[path.stem]))
    write_all(outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        docs, out = root / "docs", root / "out"
        docs.mkdir()
        out.mkdir()
        paths = make_docs(docs, args.docs)
        outputs = run_compile(paths, out)  # warm-up; also yields the floor's texts
        expected = {p.stem: t for p, t in outputs}
        compile_times, floor_times, compile_cpu, floor_cpu = [], [], [], []
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            run_floor(paths, expected, out)
            floor_times.append(time.perf_counter() - start)
            floor_cpu.append(time.process_time() - cpu)
            start, cpu = time.perf_counter(), time.process_time()
            run_compile(paths, out)
            compile_times.append(time.perf_counter() - start)
            compile_cpu.append(time.process_time() - cpu)
    floor, run = statistics.median(floor_times), statistics.median(compile_times)
    floor_c, run_c = statistics.median(floor_cpu), statistics.median(compile_cpu)
    ratio = run / floor
    rules = sum(t.count("\n      - record:") + t.count("\n      - alert:") for _, t in outputs)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} Python "
        f"{platform.python_version()} on {platform.system()}"
    )
    print(f"documents: {args.docs}, SLOs: {2 * args.docs}, rules: {rules}")
    print(f"floor (read + write):                      {floor:.3f} s wall, {floor_c:.3f} s CPU")
    print(f"rules (read + validate + compile + write): {run:.3f} s wall, {run_c:.3f} s CPU")
    print(
        f"ratio: {ratio:.2f} x the floor wall, {run_c / floor_c:.2f} x CPU"
        f" (target <= {args.max_ratio:g}; median of {args.repeat})"
    )
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
