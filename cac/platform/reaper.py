"""Work a killed worker left "running": failed after its time limit, so that its page stops waiting and the user
can try again.

A worker killed in the middle of a task (out of memory, a redeploy) never marks its row failed. Each kind of
long-running work registers a reaper here; the deadline sweep's task calls them all every minute. A reaper fails
only rows still running past their limit, by a conditional update, so running it twice or in two workers at once
fails each row once."""

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger(__name__)

_REAPERS: dict[str, Callable[..., int]] = {}


def reaper_register(name: str, reap: Callable[..., int]) -> None:
    """`reap(now=...)` fails the rows of one kind of work stuck past their limit and returns how many."""
    _REAPERS[name] = reap


def reap_stuck(*, now: datetime) -> dict[str, int]:
    counts = {}
    for name, reap in _REAPERS.items():
        if reaped := reap(now=now):
            counts[f"stuck {name} failed"] = reaped
            logger.warning("Failed %s %s left running past their time limit", reaped, name)
    return counts
