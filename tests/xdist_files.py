"""How `make test` shares the test files between its pytest-xdist processes (`-n 2 --dist loadfile`).

xdist's own loadfile sends each file whole to one process, the files with the most tests first. Two
changes, both only to the order and grouping of whole files (a test runs as it would alone):

- every file that uses the session's Prefect API (``prefect_harness``) goes to the same process, so
  one API is started, not one per process (about 8 s of CPU each, far more on a busy machine);
- the files with a test marked slow go first, the fewest tests first (a file of one or two tests marked
  slow is minutes of work; one slow test among many quick ones is not), so a test of minutes is not
  started last, when the other process has nothing left to do. The rest follow, most tests first, as
  xdist orders them.

Both are found in the file's text (``prefect_harness``, ``mark.slow``): a file that is missed only costs
time, never a result.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from xdist.scheduler import LoadFileScheduling

PREFECT_GROUP = "files using the session's Prefect API"


class FileScheduling(LoadFileScheduling):
    @cache
    def _text(self, path: str) -> str:
        try:
            return (Path(self.config.rootpath) / path).read_text(encoding="utf-8")
        except OSError:
            return ""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return PREFECT_GROUP if "prefect_harness" in self._text(path) else path

    def _slow(self, scope: str) -> bool:
        paths = {n.split("::", 1)[0] for n in self.workqueue[scope]}
        return any("mark.slow" in self._text(p) for p in paths)

    def _assign_work_unit(self, node) -> None:
        def rank(scope: str) -> tuple[bool, int]:
            slow, tests = self._slow(scope), len(self.workqueue[scope])
            return (not slow, tests if slow else -tests)

        first = min(self.workqueue, key=rank)
        self.workqueue.move_to_end(first, last=False)
        super()._assign_work_unit(node)
