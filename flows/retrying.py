"""Retry conditions for I/O tasks: retry what may succeed next time, never a bad input."""

from __future__ import annotations

from collections.abc import Callable


def retry_if(transient: Callable[[BaseException], bool]):
    """A Prefect ``retry_condition_fn`` that retries only when ``transient(error)`` is true."""

    def condition(task, task_run, state) -> bool:
        try:
            state.result()
        except Exception as exc:
            return transient(exc)
        return False

    return condition
