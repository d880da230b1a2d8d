"""``scs evidence check`` and ``scs evidence collate``: the evidence base (4.3.3)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from scs_cli.app import HELP_OPTIONS, app, parse_on
from scs_cli.progress import steps

evidence_app = typer.Typer(no_args_is_help=True, context_settings=HELP_OPTIONS,
                           help="The evidence base: check sources, collate the digest.")
app.add_typer(evidence_app, name="evidence")


def _manifest(ctx: typer.Context):
    from scs_refresh.evidence.manifest import load_manifest

    return load_manifest(ctx.obj.config / "evidence.yaml")


@evidence_app.command("check")
def evidence_check(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Argument(help="A source id or file name (default: every source).")] = None,
) -> None:
    """Read one source (or all) as the manifest describes it; exit 2 naming file, row and column."""
    from scs_refresh.evidence.collate import read_all

    manifest = _manifest(ctx)
    for ev in read_all(manifest, source):
        missing = int(ev.rows["missing_reason"].notna().sum()) if len(ev.rows) else 0
        what = f"{len(ev.rows)} rows, {missing} missing with a reason" if len(ev.rows) else f"{len(ev.statements)} statements"
        label = " (illustrative)" if ev.source.illustrative else ""
        typer.echo(f"ok: {ev.source.id}{label}: {what} from {ev.file}")


def _kept(folder) -> None:
    """A failed collation writes nothing: say that the last good evidence base stands (stdout; the error
    itself is the one line on stderr)."""
    import json

    from scs_refresh.evidence.collate import STAMP

    if not folder.is_dir():
        return
    try:
        when = f" (as at {json.loads((folder / STAMP).read_text())['on']})"
    except (OSError, ValueError, KeyError, TypeError):
        when = ""
    typer.echo(f"nothing was written: the evidence base in {folder}{when} is kept as it was")


@evidence_app.command("collate")
def evidence_collate(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The 'as at' date of the digest, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Build the evidence table, digest, charts and provenance list in <out>/evidence."""
    from rich.console import Console

    from scs_refresh.evidence.collate import collate_and_write, summary

    from scs_refresh.core.errors import UserError

    try:
        with steps(Console(stderr=True), "Collating the evidence base"):
            base, folder = collate_and_write(_manifest(ctx), ctx.obj.out, parse_on(on))
    except UserError:
        _kept(ctx.obj.out / "evidence")
        raise
    for line in summary(base):
        typer.echo(line)
    typer.echo(f"wrote {folder} ({len(base.table)} rows, {len(base.statements)} statements, {len(base.digest.charts)} charts)")
