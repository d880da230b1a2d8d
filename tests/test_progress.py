"""The live line of long commands follows what the domain says it is doing."""

import io
import logging

from rich.console import Console

from scs_cli.progress import steps


def test_the_live_line_shows_each_step_the_domain_logs_then_goes():
    domain = logging.getLogger("scs_refresh")
    before = (domain.level, list(domain.handlers))
    console = Console(file=io.StringIO(), force_terminal=True)
    with steps(console, "Starting") as status:
        assert "Starting" in str(status.status)
        logging.getLogger("scs_refresh.papers.generate").info("writing %s for %s", "[the agenda]", "lsp-board")
        assert "writing [the agenda] for lsp-board" in str(status.status)  # shown as written, not as markup
        logging.getLogger("elsewhere").warning("not ours")
        assert "not ours" not in str(status.status)
    assert (domain.level, list(domain.handlers)) == before
