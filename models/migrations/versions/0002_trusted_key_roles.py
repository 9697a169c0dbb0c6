"""bind trusted keys to a role and a division

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

Before this revision a trusted key stood for a code only, and the role a package claimed was
believed. The role and division of each key already trusted are taken from the institution
it belongs to, as its own packages registered it here; a key whose institution never sent a
package keeps an empty role, and only the least-privileged role (school) can be bound to it
later without a new public key file (core/packages/trust.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trusted_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("division_code", sa.String(length=6), nullable=True))
    for column in ("role", "division_code"):
        op.execute(
            f"UPDATE trusted_keys SET {column} = (SELECT institutions.{column} FROM institutions "
            "WHERE institutions.uscc = trusted_keys.uscc AND NOT institutions.is_local)"
        )


def downgrade() -> None:
    with op.batch_alter_table("trusted_keys", schema=None) as batch_op:
        batch_op.drop_column("division_code")
        batch_op.drop_column("role")
