"""partyflow: procedures of grassroots party organizations as auditable state machines.

The public API is this module's ``__all__``; everything else is internal.
"""

from partyflow.errors import (
    AuditChainBroken,
    ConcurrentUpdate,
    ConditionFailed,
    ConditionFailure,
    FieldError,
    HierarchyError,
    IdempotencyConflict,
    InstanceNotFound,
    InvalidEventData,
    InvalidTrigger,
    NotAuthorized,
    PartyflowError,
    Problem,
    RulesError,
    RulesVersionUnavailable,
    StoreError,
    Text,
    UnknownOrganization,
    UnknownProcedure,
    UsageError,
    WorkflowError,
)
from partyflow.hierarchy import ChainLink, Hierarchy, load_hierarchy
from partyflow.policy import (
    ImpactGroup,
    ImpactReport,
    MigrationMap,
    MigrationOutcome,
    MigrationReport,
    impact,
    load_migration_map,
    migrate,
)
from partyflow.rules.definitions import ProcedureDef, RuleSet
from partyflow.rules.diff import Change, DiffWarning, RulesDiff, diff_rules
from partyflow.rules.durations import Duration
from partyflow.rules.loader import check_rules_text, load_rules, load_rules_text
from partyflow.stores import MemoryStore, Store, open_store
from partyflow.workflows.clock import Clock, SystemClock
from partyflow.workflows.engine import Engine
from partyflow.workflows.records import (
    Actor,
    AuditRecord,
    Instance,
    Organization,
    ReportRow,
    TickReport,
)

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "AuditChainBroken",
    "AuditRecord",
    "ChainLink",
    "Change",
    "Clock",
    "ConcurrentUpdate",
    "ConditionFailed",
    "ConditionFailure",
    "DiffWarning",
    "Duration",
    "Engine",
    "FieldError",
    "Hierarchy",
    "HierarchyError",
    "IdempotencyConflict",
    "ImpactGroup",
    "ImpactReport",
    "Instance",
    "InstanceNotFound",
    "InvalidEventData",
    "InvalidTrigger",
    "MemoryStore",
    "MigrationMap",
    "MigrationOutcome",
    "MigrationReport",
    "NotAuthorized",
    "Organization",
    "PartyflowError",
    "Problem",
    "ProcedureDef",
    "ReportRow",
    "RuleSet",
    "RulesDiff",
    "RulesError",
    "RulesVersionUnavailable",
    "Store",
    "StoreError",
    "SystemClock",
    "Text",
    "TickReport",
    "UnknownOrganization",
    "UnknownProcedure",
    "UsageError",
    "WorkflowError",
    "__version__",
    "check_rules_text",
    "diff_rules",
    "impact",
    "load_hierarchy",
    "load_migration_map",
    "load_rules",
    "load_rules_text",
    "migrate",
    "open_store",
]
