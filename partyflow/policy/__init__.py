"""Rules change (规则变更): what a new rules version would do to running instances
(``impact``), the state map (``MigrationMap``) and moving instances to it (``migrate``).

``impact.py`` the dry run; ``mapping.py`` the map file; ``migrate.py`` the checked, audited
move. What changed between two files is ``partyflow.rules.diff``; both pair old and new with
``partyflow.rules.compare``.
"""

from partyflow.policy.impact import IMPACT_KINDS, ImpactGroup, ImpactReport, impact
from partyflow.policy.mapping import MigrationMap, load_migration_map
from partyflow.policy.migrate import (
    MIGRATE_TRIGGER,
    MIGRATION_ACTOR,
    MIGRATION_STATUSES,
    MigrationOutcome,
    MigrationReport,
    migrate,
)

__all__ = [
    "IMPACT_KINDS",
    "MIGRATE_TRIGGER",
    "MIGRATION_ACTOR",
    "MIGRATION_STATUSES",
    "ImpactGroup",
    "ImpactReport",
    "MigrationMap",
    "MigrationOutcome",
    "MigrationReport",
    "impact",
    "load_migration_map",
    "migrate",
]
