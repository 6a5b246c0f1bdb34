"""Evidence (审计留痕) over a whole store: verifying every trail, and checkpoints.

``verify_all`` checks every instance's audit chain (streamed, bounded memory) and the
hierarchy's trail; ``write_checkpoint`` anchors every chain head in a file an auditor keeps
outside the database, and ``compare_checkpoint`` finds a history rewritten or cut short since,
even one recomputed with the public hash functions. One instance: ``verify_instance`` (what
``Engine.verify`` does); the hierarchy alone: ``partyflow.hierarchy.verify_organizations``.
"""

from partyflow.evidence.checkpoint import (
    MAX_LISTED,
    Broken,
    CheckpointProblem,
    CheckpointReport,
    VerifyReport,
    compare_checkpoint,
    read_key,
    verify_all,
    write_checkpoint,
)
from partyflow.workflows.versions import verify_instance

__all__ = [
    "MAX_LISTED",
    "Broken",
    "CheckpointProblem",
    "CheckpointReport",
    "VerifyReport",
    "compare_checkpoint",
    "read_key",
    "verify_all",
    "verify_instance",
    "write_checkpoint",
]
