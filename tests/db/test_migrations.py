"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hepbuilder.db.models import Base, schema_object_filter
from hepbuilder.db.session import get_engine


def test_migrations_match_models(database_url):
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": schema_object_filter(connection.dialect.name)}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
