"""Workshop rounds, as values: many people score the same experiences at once, each on
their own, and the room's results become proposed catalogue values.

Nothing here reads or writes the store, and nothing imports SQLAlchemy or pandas:

- :mod:`.model`: what a round is (:class:`~.model.Round`, its participants and scores),
  its limits and :class:`~.model.RoundError`;
- :mod:`.checks`: what a round accepts, checked: the criteria and experiences it asks
  about, names, the values people give, a scores file;
- :mod:`.summary`: the statistics of a round's scores (median, quartiles, disagreement)
  and of its weights vote;
- :mod:`.proposals`: the results as catalogue values, which are implausible, and which a
  close accepts.

The store keeps rounds (:mod:`cxprio.store.rounds`, :mod:`cxprio.store.round_scores`,
closing in :mod:`cxprio.store.round_closing`); the tables the board and the pack show
are in :mod:`cxprio.outputs.rounds`.
"""
