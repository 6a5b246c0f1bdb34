"""Generic steps: fire several steps in a row from one table (used by the election features).

    而且 依次执行以下步骤：
      | 角色               | 步骤             | 数据                        |
      | election_organizer | request_election | {election_date: 2026-09-20} |
      | township_committee | approve_election |                             |

    And the following steps are fired:
      | role | trigger | data |

The data cell is a YAML flow mapping (``{seats: 3, candidates: [李红, 王强]}``) or empty. Every
row but the last must succeed; a refusal of the last row is checked by the next step (操作被拒绝…).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from pytest_bdd import given, when

from .test_features import World


def _plain(value: Any) -> Any:
    """YAML dates back to ISO text, as the inputs expect (also inside lists and mappings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _rows(datatable: list[list[str]]) -> list[tuple[str, str, dict[str, Any] | None]]:
    rows = datatable[1:] if datatable and datatable[0][0].strip() in ("角色", "role") else datatable
    out = []
    for role, trigger, raw in rows:
        data = _plain(yaml.safe_load(raw)) if raw.strip() else None
        if data is not None and not isinstance(data, dict):
            raise AssertionError(f"the data of {trigger} must be a mapping such as {{seats: 3}}, "
                                 f"not {raw!r}")
        out.append((role.strip(), trigger.strip(), data))
    return out


@given("依次执行以下步骤：")
@when("依次执行以下步骤：")
@given("the following steps are fired:")
@when("the following steps are fired:")
def _fire_rows(world: World, datatable: list[list[str]]) -> None:
    for role, trigger, data in _rows(datatable):
        world.fire(role, trigger, data)
