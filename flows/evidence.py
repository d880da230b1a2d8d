"""Prefect flow ``collate_evidence``: read each evidence source as its own task, then publish.

A source that fails is marked failed in the artifact and the provenance list; the others
still collate. The stage flows call this flow.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from flows.retrying import retry_if
from scs_refresh.core.errors import UserError
from scs_refresh.evidence.collate import EvidenceBase, collate, summary, write
from scs_refresh.core.folders import Dirs
from scs_refresh.evidence.manifest import LoadedManifest, Source
from scs_refresh.evidence.tidy import SourceEvidence, tidy_source
from scs_refresh.workspace import Workspace
from flows.logs import route_domain_logs

route_domain_logs()


#: Retry I/O hiccups only: a bad file (UserError) fails the same way every time.
_transient = retry_if(lambda exc: not isinstance(exc, UserError))


# Evidence files often sit on a shared drive: retry transient read errors, never bad files.
@task(retries=2, retry_delay_seconds=[1, 2], retry_condition_fn=_transient, task_run_name="read {source.id}")
def read_source(manifest: LoadedManifest, source: Source) -> SourceEvidence:
    return tidy_source(manifest, source)


@task
def publish(base: EvidenceBase, out_dir: Path) -> Path:
    folder = write(base, out_dir)
    failed = [p for p in base.digest.provenance if not p.ok]
    create_markdown_artifact(
        key="evidence-base",
        description=f"Evidence base for {base.digest.focus} as at {base.digest.on}",
        markdown="\n".join([f"# Evidence base: {base.digest.focus}", "",
                            f"{len(base.table)} rows, {len(base.statements)} statements, "
                            f"{len(base.digest.charts)} charts, {len(failed)} failed sources; written to `{folder}`.", ""]
                           + [f"- {line}" for line in summary(base)]))
    return folder


@flow(name="collate-evidence")
def collate_evidence(dirs: Dirs, on: date) -> EvidenceBase:
    """Read every source in config/evidence.yaml, collate what was read, publish it."""
    # 1. the manifest, from the cycle's workspace (a bad manifest stops the flow: there is nothing to read)
    manifest = Workspace.load(dirs).need_evidence()
    # 2. one task per source published by `on`; a failed source is recorded, not fatal
    states = {s.id: read_source(manifest, s, return_state=True) for s in manifest.released(on)}
    read = [st.result() for st in states.values() if st.is_completed()]
    failed = {sid: _error(st) for sid, st in states.items() if not st.is_completed()}
    # 3. one evidence base and digest from what was read
    base = collate(manifest, read, failed, on)
    # 4. write it (replacing the previous base only when complete) and publish the artifact
    publish(base, dirs.out)
    return base


def _error(state) -> str:
    try:
        state.result()
    except Exception as exc:  # the task's own exception, as one line
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return state.message or "failed"
