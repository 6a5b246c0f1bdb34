"""``python -m partyflow.stores.migrations URL [upgrade|current]``.

Exit codes: 0 done, 1 the database failed (nothing changed, or the upgrade was rolled back),
2 wrong arguments or an unusable URL. Messages follow ``PARTYFLOW_LANG`` (zh, or en).
"""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa
from alembic.util import CommandError

from partyflow.errors import Lang, PartyflowError, Text
from partyflow.stores.migrations import current, head, upgrade

USAGE = Text(
    "用法：python -m partyflow.stores.migrations 存储地址 [upgrade|current]\n"
    "  upgrade（默认）把数据库升级到最新版本；current 显示数据库当前的版本",
    "usage: python -m partyflow.stores.migrations URL [upgrade|current]\n"
    "  upgrade (the default) brings the database to the newest revision; current shows "
    "its revision")


def _lang() -> Lang:
    return "en" if os.environ.get("PARTYFLOW_LANG") == "en" else "zh"


def _fail(text: Text, code: int) -> int:
    print(text.get(_lang()), file=sys.stderr)
    return code


def _engine(url: str) -> sa.Engine:
    """An engine for ``url``; an unusable URL or a missing driver raises ``UsageError``."""
    from partyflow.errors import UsageError
    from partyflow.stores.open import redacted_url
    from partyflow.stores.sql_engine import create_engine

    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError) as exc:
        shown = redacted_url(url)
        raise UsageError(Text(f"存储地址无效（{shown}）：{exc}",
                              f"invalid store URL ({shown}): {exc}")) from None
    return create_engine(parsed)


def main(argv: list[str]) -> int:
    """Run the command on ``argv``; return the exit code (errors are messages, no traceback)."""
    lang = _lang()
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE.get(lang))
        return 0
    if not argv or len(argv) > 2 or (len(argv) == 2 and argv[1] not in ("upgrade", "current")):
        return _fail(USAGE, 2)
    try:
        engine = _engine(argv[0])
    except PartyflowError as exc:
        return _fail(Text(exc.message("zh"), exc.message("en")), 2)
    action = argv[1] if len(argv) > 1 else "upgrade"
    try:
        if action == "upgrade":
            upgrade(engine)
        with engine.connect() as conn:
            rev = current(conn)
    except (sa.exc.SQLAlchemyError, CommandError, OSError) as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        return _fail(Text(f"数据库出错，未完成迁移（{cause}）",
                          f"the database failed; the migration did not complete ({cause})"), 1)
    finally:
        engine.dispose()
    print(f"{rev or '(none)'} (head {head()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
