"""``scs papers``, ``scs review`` and ``scs scs-draft``: the documents, written as at a day."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from scs_cli.app import app, parse_on, workspace
from scs_cli.progress import steps


def _report_papers(result) -> None:
    for path in result.files():
        typer.echo(f"wrote {path}")
    for note in result.not_produced:
        typer.echo(f"not produced: {note}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}")


@app.command()
def papers(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="The meeting id, as in `scs timetable --json`.")],
    on: Annotated[Optional[str], typer.Option(help="Write the papers as at this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """Generate everything a meeting needs (reports, agenda, board pack) into out/<meeting-id>/."""
    from rich.console import Console

    from scs_refresh.approval.chain import with_confirmed_dates
    from scs_refresh.approval.decisions import load_approvals
    from scs_refresh.as_at import load_state
    from scs_refresh.documents.pdf import start_libreoffice
    from scs_refresh.papers.generate import generate_meeting_papers

    day = parse_on(on)
    if pdf:
        start_libreoffice()  # it starts while the state of the refresh is read
    with steps(Console(stderr=True), f"Writing the papers for {meeting} as at {day:%d %b %Y}"):
        ws = workspace(ctx)  # the meetings at their confirmed dates, as the daily tick writes them
        state = load_state(ws.with_timetable(with_confirmed_dates(ws.timetable, load_approvals(ctx.obj.store).replans)),
                           day)
        result = generate_meeting_papers(state, meeting, ctx.obj.out, ctx.obj.templates, pdf=pdf)
    _report_papers(result)


@app.command()
def review(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Assess as at this day, YYYY-MM-DD (default: today).")] = None,
    meeting: Annotated[Optional[str], typer.Option(help="Timetable id of the Board meeting (default: the next one).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make a PDF with LibreOffice.")] = False,
) -> None:
    """The Partnership review report: the register assessed against policy Appendix B, into <out>/review/."""
    from scs_refresh.review.paper import write_review_from_dirs

    ws = workspace(ctx)
    review = ws.need_review()
    outputs = write_review_from_dirs(ws.timetable, review.register, review.content, ws.dirs, parse_on(on), meeting,
                                     pdf=pdf)
    typer.echo(outputs.summary())


@app.command("scs-draft")
def scs_draft(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Write the draft as at this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make a PDF of a new version with LibreOffice when it is installed.")] = True,
) -> None:
    """The draft SCS: collate the evidence, then write a new draft version into <out>/scs/ if anything changed."""
    from scs_refresh.as_at import draft_on
    from scs_refresh.documents.pdf import soffice, to_pdf

    result = draft_on(workspace(ctx), parse_on(on))
    for line in result.summary():
        typer.echo(line)
    if result.new and pdf and soffice() is not None:
        typer.echo(f"wrote {to_pdf([result.docx], result.docx.parent)[0]}")


@app.command()
def site(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Build as at this day, YYYY-MM-DD (default: today).")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="Then serve it on 127.0.0.1 for a look (Ctrl-C stops).")] = False,
    port: Annotated[int, typer.Option(help="The port to serve on.")] = 8000,
) -> None:
    """The public meetings site under <out>/public: meetings by body and date, each meeting's papers, the Strategy, feeds."""
    from scs_refresh.core.dates import recorded_at
    from scs_refresh.papers.site import build_site

    ws = workspace(ctx)
    written = build_site(ws.dirs, ws.timetable, ws.need_papers().agenda, ctx.obj.templates, recorded_at(parse_on(on)))
    public = ws.dirs.out / "public"
    typer.echo(f"built the public site: {len(written)} file(s) in {public}; open {public / 'index.html'}")
    if serve:
        import functools
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(public))
        with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
            typer.echo(f"serving http://127.0.0.1:{port}/ (Ctrl-C stops)")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
