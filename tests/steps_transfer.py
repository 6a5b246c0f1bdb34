"""Generic step: which steps a role may fire now (``Engine.available_triggers``).

    那么 "sending_committee" 可执行的步骤为 "issue_letter、reject"     (无 = none)
    Then "sending_committee" may fire "issue_letter, reject"          (none = none)

The order does not matter; steps are separated by 、 or a comma. Conditions are not evaluated
(they depend on the data given with the step), only the state and the role.
"""

from __future__ import annotations

import re

from pytest_bdd import parsers, then

from .test_features import World


@then(parsers.parse('"{role}" 可执行的步骤为 "{triggers}"'))
@then(parsers.parse('"{role}" may fire "{triggers}"'))
def _transfer_available_triggers(world: World, role: str, triggers: str) -> None:
    world.raise_pending()
    assert world.instance_id is not None, "start an instance first"
    text = triggers.strip()
    expected = [] if text in ("无", "none") else [t.strip() for t in re.split(r"[、,，]", text)]
    actual = world.engine.available_triggers(world.instance_id, world.actor(role))
    assert sorted(actual) == sorted(expected), f"{role} may fire {actual}, expected {expected}"
