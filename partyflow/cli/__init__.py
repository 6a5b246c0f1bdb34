"""The command line (``partyflow …``) and all terminal and Markdown rendering.

- ``commands``: the click commands (thin: parse, call the library, print) and ``main``/``run``,
  the entry points (``partyflow`` console script, ``python -m partyflow.cli``);
- ``render``: tables, CSV and JSON built from result objects; it prints nothing;
- ``demo``: the ``partyflow demo`` story, printed with ``render``.
"""

from partyflow.cli.commands import app, main, run

__all__ = ["app", "main", "run"]
