"""The delivery plan scorecard as a Prefect task and flow; the daily tick runs the task when new evidence arrives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from scs_refresh.performance.scorecard import ScorecardPaper, markdown, refresh
from scs_refresh.core.folders import Dirs

refresh_scorecard = task(refresh, name="refresh-scorecard")


@task(name="publish-scorecard")
def publish_scorecard(paper: ScorecardPaper) -> None:
    create_markdown_artifact(key="scs-scorecard", markdown=markdown(paper.card),
                             description=f"SCS delivery plan scorecard as at {paper.card.on}")


@flow(name="performance-scorecard")
def performance_scorecard(config_dir: Path, out_dir: Path, state_dir: Path, on: date,
                          store: Path | None = None) -> ScorecardPaper:
    dirs = Dirs(config=Path(config_dir), out=Path(out_dir), state=Path(state_dir), store_file=store)
    # 1. Rate every indicator of the delivery plan as at `on` (evidence base + recorded figures);
    #    write <out>/performance/scorecard.csv and the RAG chart the Board reports show.
    paper = refresh_scorecard(dirs, on)
    # 2. Show the scorecard in the Prefect UI.
    publish_scorecard(paper)
    return paper
