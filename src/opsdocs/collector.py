"""The garbage collector, paused while a run holds a large live heap.

A check, an SLO rules run and a portal rebuild each keep what they read alive to the end (every
token of every parsed document; a warm check's cached facts of every file and the AL rules'
thousands of alerts; the site's pages and their HTML), while they make many short-lived objects
but few reference cycles. The collections those objects trigger walk the whole live heap each
time: a third of a cold ``slo rules`` run, a third of a site rebuild on 10,000 documents.
Reference counting frees what the run drops; the collector is on again when the run ends (and
then runs at a quieter time: ``site serve`` collects while it waits for a change).

This module imports nothing of opsdocs, so every layer can use it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the ``with`` block; afterwards the collector is enabled
    again if it was before (a nested pause leaves it to the outer one)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
