"""``python -m partyflow.stores.migrations URL [upgrade|current]``."""

from __future__ import annotations

import sys

import sqlalchemy as sa

from partyflow.stores.migrations import current, head, upgrade


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or len(argv) > 2:
        print(__doc__)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    engine = sa.create_engine(argv[0])
    action = argv[1] if len(argv) > 1 else "upgrade"
    try:
        if action == "upgrade":
            upgrade(engine)
        elif action != "current":
            print(__doc__)
            return 2
        with engine.connect() as conn:
            rev = current(conn)
        print(f"{rev or '(none)'} (head {head()})")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
