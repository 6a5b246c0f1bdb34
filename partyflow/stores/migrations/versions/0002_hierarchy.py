"""The organization hierarchy in the store, and each instance's organization and escalation.

Adds ``pf_organizations`` (the runtime copy of the hierarchy, including branches established
by a procedure) and four columns to ``pf_instances``: ``org`` (the responsible organization,
indexed for reports), ``escalation`` (levels escalated, 一级抓一级), ``escalated_to`` and
``overdue_since``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True).with_variant(sa.String(27), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pf_organizations",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("level", sa.String(64), nullable=False),
        sa.Column("parent", sa.String(200), nullable=True),
        sa.Column("secretary", sa.String(200), nullable=True),
        sa.Column("attrs", sa.Text, nullable=False),
        sa.Column("added_by", sa.String(128), nullable=True),
    )
    op.create_index("ix_pf_organizations_parent", "pf_organizations", ["parent"])
    with op.batch_alter_table("pf_instances") as batch:
        batch.add_column(sa.Column("org", sa.String(200), nullable=True))
        batch.add_column(sa.Column("escalation", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("escalated_to", sa.String(200), nullable=True))
        batch.add_column(sa.Column("overdue_since", _TIME, nullable=True))
    op.create_index("ix_pf_instances_org", "pf_instances", ["org"])


def downgrade() -> None:
    op.drop_index("ix_pf_instances_org", table_name="pf_instances")
    with op.batch_alter_table("pf_instances") as batch:
        batch.drop_column("overdue_since")
        batch.drop_column("escalated_to")
        batch.drop_column("escalation")
        batch.drop_column("org")
    op.drop_index("ix_pf_organizations_parent", table_name="pf_organizations")
    op.drop_table("pf_organizations")
