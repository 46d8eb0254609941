"""The method: what the board computes from a catalogue.

- :mod:`.scoring`: priority from reach, frequency, depth, cost and failure demand, and
  how sure each rank is;
- :mod:`.ambition`: the ambition portfolio (tiers, limits, gaps);
- :mod:`.ownership`: the ownership graph, unowned seams and decision rights;
- :mod:`.findings`: every finding's kind, plain title and what to do;
- :mod:`.compare`: what moved between two quarters, and why;
- :mod:`.rounds`: workshop rounds as values: what a round is and accepts, its
  statistics and the catalogue values it proposes.
"""
