"""The rule the projector rests on, tested in the library that keeps it: a round's
live view (:func:`facilitator_view`, what the projector and the facilitator draw) holds
no summary of an experience before it is revealed, and no weights vote before the
whole round is."""

from __future__ import annotations

from pathlib import Path

from cxprio.catalogue.model import MEASURES
from cxprio.method.rounds.checks import parse_criteria, select_experiences
from cxprio.outputs.rounds import facilitator_view
from cxprio.store.imports import import_file
from cxprio.store.round_scores import join, record
from cxprio.store.rounds import get_round, open_round, reveal
from cxprio.store.versions import Store

from .conftest import SAMPLE


def test_the_live_view_holds_only_what_is_revealed_and_the_vote_only_after_all(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "experiences.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    version = import_file(store, path).version
    catalogue = store.catalogue(version.id).catalogue
    chosen = select_experiences(catalogue, level="journey")[:3]
    code = open_round(
        store,
        catalogue,
        version.id,
        experiences=chosen,
        criteria=parse_criteria("depth"),
        author="Fran",
        title="Q4 workshop",
        weights_vote=True,
    ).code
    for name, depth in (("Ana", 2), ("Ben", 4), ("Caro", 5)):
        record(
            store,
            code,
            join(store, code, name),
            [*((e, "depth", depth) for e in chosen), *(("", f"weight:{m}", 0.2) for m in MEASURES)],
        )
    weights = catalogue.scoring.weights.as_dict()

    def view() -> tuple[list[str], bool]:
        seen = facilitator_view(store, code, catalogue, weights)
        assert len(seen.rows) == 3 * (len(chosen) + len(MEASURES))  # every score is in
        return [a.experience for a in seen.revealed], seen.vote is not None

    assert view() == ([], False)
    reveal(store, code, chosen[1])
    assert view() == ([chosen[1]], False)
    reveal(store, code)
    revealed, voted = view()
    assert sorted(revealed) == sorted(chosen) and voted
    assert get_round(store, code).revealed_all
