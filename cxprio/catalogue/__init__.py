"""The catalogue: what ``experiences.yaml`` may hold and how it is read.

- :mod:`.model`: the data model (frozen pydantic models) and its field rules;
- :mod:`.safeyaml`: reading YAML safely, with the position of every value;
- :mod:`.loading`: reading and validating a file or text, every problem located;
- :mod:`.references`: the rules that span the catalogue (ids, teams, levels);
- :mod:`.edit`: changing values in the text without losing its comments;
- :mod:`.audit`: the field-level changes between two catalogues;
- :mod:`.checking`: checking an untrusted upload in a process of its own;
- :mod:`.generate`: synthetic catalogues for tests and benchmarks;
- :mod:`.limits`: the sizes a catalogue may reach.

Nothing here imports pandas, SQLAlchemy or networkx.
"""
