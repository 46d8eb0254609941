"""The store: catalogue versions, snapshots and workshop rounds in one database
(SQLite by default, PostgreSQL for a shared board). Every SQL statement of the product
lives in this package.

- :mod:`.versions`: the versions of the catalogue, their texts and the audit trail;
- :mod:`.schema`: every table; :mod:`.engine`: the database's address, engine and
  timeouts; :mod:`.batches`: group commits;
- :mod:`.parsed`: each version's validated catalogue, kept beside its text;
- :mod:`.imports`: a catalogue file imported as a version;
- :mod:`.saving`: saving an edit and mirroring the latest version to the file;
- :mod:`.snapshots`: quarters frozen for comparison;
- :mod:`.rounds`: workshop rounds: opening, finding, revealing, marking one closed;
- :mod:`.round_scores`: a round's participants and scores;
- :mod:`.round_closing`: closing a round into the catalogue through the audited save;
- :mod:`.migrations`: the schema, migrated by Alembic.
"""
