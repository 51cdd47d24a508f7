"""What every benchmark measures of a child process, and the machine it ran on."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple


class Child(NamedTuple):
    wall: float
    """Wall seconds, start-up included."""
    cpu: float
    """User plus system CPU seconds of the child."""
    rss_mb: float
    """Peak resident memory in MB (from wait4)."""
    stdout: str


def run_child(
    argv: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Child:
    """Run ``argv`` once and measure it; an exit status outside ``ok`` ends the benchmark."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if code not in ok:
            raise SystemExit(f"{argv[:3]} failed ({code}): {err.read().decode()[-2000:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return Child(elapsed, cpu, usage.ru_maxrss / 1024, out.read().decode())


def machine() -> str:
    """CPUs, architecture, CPU model and Python version, for the results table."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}, {cpu}), Python {platform.python_version()}"
    )
