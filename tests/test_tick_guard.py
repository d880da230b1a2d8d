"""The second guard: one tick of a cycle at a time on one Prefect API (a global concurrency limit per
cycle), while another council's tick goes ahead."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from flows.guard import limit_name, one_tick_per_cycle
from scs_refresh.core.folders import Dirs

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _other_council(config_dir: Path, tmp_path: Path) -> Dirs:
    other = tmp_path / "other"
    other.mkdir()
    text = (config_dir / "timetable.yaml").read_text()
    (other / "timetable.yaml").write_text(text.replace("council: Breckland Council", "council: Norwich City Council", 1))
    return Dirs(config=other)


def test_a_second_tick_of_a_cycle_waits_for_the_first_and_another_council_does_not(config_dir: Path, tmp_path: Path):
    breckland, norwich = Dirs(config=config_dir), _other_council(config_dir, tmp_path)
    assert limit_name(breckland) == "scs-tick-breckland-council-scs-refresh-2010-11"
    assert limit_name(norwich) == "scs-tick-norwich-city-council-scs-refresh-2010-11"
    events: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def first():
        with one_tick_per_cycle(breckland):
            events.append("first in")
            inside.set()
            release.wait(60)
            events.append("first out")

    def second():
        inside.wait(60)
        with one_tick_per_cycle(breckland):
            events.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert inside.wait(60)
    with one_tick_per_cycle(norwich):  # another council's tick is not held up by Breckland's
        events.append("norwich in")
    time.sleep(3)  # the second Breckland tick has had time to get in, were it let in
    release.set()
    for t in threads:
        t.join(120)
    assert events == ["first in", "norwich in", "first out", "second in"]
