"""Incident response that runs from the docs: the severity ladder, records, postmortems, stats.

The public functions live in the submodules: :mod:`.policy` (the ladder in the playbook's front
matter), :mod:`.records` (incident files and timelines), :mod:`.lifecycle` (open, log, ack,
mitigate, resolve, close, ...), :mod:`.postmortem`, :mod:`.stats`, :mod:`.validate` (check
rules as pure functions) and :mod:`.budget` (the error-budget hook ``resolve`` calls).
"""
