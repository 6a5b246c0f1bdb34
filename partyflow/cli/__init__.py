"""The command line (``partyflow …``) and all terminal and Markdown rendering."""

from partyflow.cli.commands import app, main, run

__all__ = ["app", "main", "run"]
