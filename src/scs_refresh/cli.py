"""``scs``: the officer's command line. Thin: it parses, loads config once, calls the domain.

Commands that need no Prefect never import it (or pandas), so they answer at once.
Errors in the officer's files are printed as one line each and exit with code 2.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from .errors import UserError
from .settings import Dirs


class _Group(TyperGroup):
    """Turn a UserError anywhere below into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in exc.lines():
                typer.echo(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Run the refresh of the Sustainable Community Strategy (SCS).")


@app.callback()
def _dirs(
    ctx: typer.Context,
    config_dir: Annotated[Path, typer.Option(envvar="SCS_CONFIG_DIR", help="Folder of timetable.yaml etc.")] = Path("config"),
    out_dir: Annotated[Path, typer.Option(envvar="SCS_OUT_DIR", help="Where papers and outputs are written.")] = Path("out"),
    state_dir: Annotated[Path, typer.Option(envvar="SCS_STATE_DIR", help="Where the state store lives.")] = Path("state"),
) -> None:
    ctx.obj = Dirs(config=config_dir, out=out_dir, state=state_dir)


def _parse_on(value: Optional[str]) -> date:
    from .calendar import today
    from .yamlio import parse_iso_date

    if value is None:
        return today()
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _timetable(ctx: typer.Context):
    from .timetable import load_timetable

    return load_timetable(ctx.obj.timetable)


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate every configuration file; exit 2 naming each problem."""
    from .config import check_all

    for name in check_all(ctx.obj.config):
        typer.echo(f"ok: {ctx.obj.config / name}")


@app.command()
def timetable(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The four stages and every event with its publication and report deadlines."""
    from . import render
    from .timetable import as_json as to_json

    tt = _timetable(ctx)
    if as_json:
        typer.echo(json.dumps(to_json(tt), indent=2))
    else:
        render.timetable(tt)


@app.command()
def plan(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The day to plan from, YYYY-MM-DD (default: today).")] = None,
    days: Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead to look.")] = 28,
) -> None:
    """What is due on and after a date: deadlines, meetings, stage changes, warnings."""
    from . import render
    from .plan import plan as make_plan

    render.plan(make_plan(_timetable(ctx), _parse_on(on), days))


@app.command()
def demo(ctx: typer.Context) -> None:
    """The bundled 2010/11 cycle: the timetable, then the plan from the Board of 7 Oct 2010."""
    from . import render
    from .plan import plan as make_plan

    tt = _timetable(ctx)
    render.timetable(tt)
    first = tt.schedule[0].event.date
    last = max(s.event.date for s in tt.schedule if s.event.date)
    render.plan(make_plan(tt, first, (last - first).days))


evidence_app = typer.Typer(no_args_is_help=True, help="The evidence base: check sources, collate the digest.")
app.add_typer(evidence_app, name="evidence")


def _manifest(ctx: typer.Context):
    from .evidence.manifest import load_manifest

    return load_manifest(ctx.obj.config / "evidence.yaml")


@evidence_app.command("check")
def evidence_check(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Argument(help="A source id or file name (default: every source).")] = None,
) -> None:
    """Read one source (or all) as the manifest describes it; exit 2 naming file, row and column."""
    from .evidence.collate import read_all

    manifest = _manifest(ctx)
    for ev in read_all(manifest, source):
        missing = int(ev.rows["missing_reason"].notna().sum()) if len(ev.rows) else 0
        what = f"{len(ev.rows)} rows, {missing} missing with a reason" if len(ev.rows) else f"{len(ev.statements)} statements"
        label = " (illustrative)" if ev.source.illustrative else ""
        typer.echo(f"ok: {ev.source.id}{label}: {what} from {ev.file}")


@evidence_app.command("collate")
def evidence_collate(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The 'as at' date of the digest, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Build the evidence table, digest, charts and provenance list in <out>/evidence."""
    from .evidence.collate import collate_and_write, summary

    base, folder = collate_and_write(_manifest(ctx), ctx.obj.out, _parse_on(on))
    for line in summary(base):
        typer.echo(line)
    typer.echo(f"wrote {folder} ({len(base.table)} rows, {len(base.statements)} statements, {len(base.digest.charts)} charts)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
