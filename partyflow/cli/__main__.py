"""``python -m partyflow.cli``."""

from partyflow.cli.commands import run

if __name__ == "__main__":
    run()
