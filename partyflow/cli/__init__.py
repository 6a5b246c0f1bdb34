"""The command line (``partyflow …``) and all terminal and Markdown rendering.

- ``commands``: the click commands (thin: parse, call the library, print) and ``main``/``run``,
  the entry points (``partyflow`` console script, ``python -m partyflow.cli``);
- ``instances``: the commands that run instances (start, fire, show, history, list, inbox,
  tick, export), added to the group here;
- ``render``: tables, CSV and JSON built from result objects; it prints nothing;
- ``demo``: the ``partyflow demo`` story, printed with ``render``.
"""

from partyflow.cli import instances
from partyflow.cli.commands import app, main, run

for _command in instances.COMMANDS:  # start, fire, show, history, list, inbox, tick, export
    app.add_command(_command)

__all__ = ["app", "main", "run"]
