"""handout.pdf_store: where a handout's PDF lives ("database", or "s3": an object store)

Every handout issued before is "database" (the server default), so nothing moves and no row is
rewritten: on SQLite this is an ALTER TABLE ADD COLUMN, not a copy of the table and its PDFs.
The `pdf` column stays NOT NULL: a row whose PDF is in the S3 store keeps b"" there, as an
erased handout already does, which avoids rebuilding the handout table on SQLite.
`hepbuilder pdfs move-to-s3` moves existing PDFs afterwards, when a deployment wants that.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "handout",
        sa.Column("pdf_store", sa.String(10), nullable=False, server_default="database"),
    )


def downgrade() -> None:
    bind = op.get_bind()
    in_s3 = bind.scalar(sa.text("SELECT count(*) FROM handout WHERE pdf_store <> 'database'"))
    if in_s3:
        raise RuntimeError(
            f"{in_s3} handouts keep their PDF in the S3 store; this schema cannot say so. "
            "Move them back into the database before downgrading."
        )
    with op.batch_alter_table("handout") as batch:
        batch.drop_column("pdf_store")
