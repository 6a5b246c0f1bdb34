"""``python -m partyflow.cli``."""

from partyflow.cli.commands import run

run()
