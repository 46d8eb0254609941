"""The store: catalogue versions, snapshots and workshop rounds in one database
(SQLite by default, PostgreSQL for a shared board). Every SQL statement of the product
lives in this package.

- :mod:`.versions`: the versions of the catalogue, their texts and the audit trail;
- :mod:`.saving`: saving an edit and mirroring the latest version to the file;
- :mod:`.snapshots`: quarters frozen for comparison;
- :mod:`.migrations`: the schema, migrated by Alembic.
"""
