"""The pack's ZIPs, and :func:`build`, which makes any format of :data:`FORMATS`.

* ``charts``: every chart as SVG and PNG, with the team graph as Graphviz DOT;
* ``zip``: every format in one ZIP (the board's "Workshop pack").
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from cxprio.method.ownership.dot import team_graph_dot
from cxprio.outputs.report.figures import rendered
from cxprio.outputs.report.files import zip_files
from cxprio.outputs.report.html import html_report
from cxprio.outputs.report.pack import (
    FORMATS,
    Progress,
    Workshop,
    quiet,
)
from cxprio.outputs.report.slides import pptx
from cxprio.outputs.report.workbook import xlsx


def chart_files(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """A ZIP of every chart as SVG and PNG, and the team graph as DOT."""
    say = progress or quiet
    say(0.3, "Drawing the charts")
    svgs = rendered(workshop, "svg")
    say(0.6, "Drawing the charts as pictures")
    pngs = rendered(workshop, "png")
    files: dict[str, bytes] = {}
    for name in svgs:
        files[f"charts/{name}.svg"] = svgs[name].encode("utf-8")
        files[f"charts/{name}.png"] = pngs[name]
    files["team-graph.dot"] = team_graph_dot(workshop.ownership.graph, workshop.ownership.metrics).encode(
        "utf-8"
    )
    say(0.95, "Packing the files")
    return zip_files(files)


def pack(workshop: Workshop, progress: Progress | None = None) -> bytes:
    """Every format in one ZIP, named after the catalogue."""
    say = progress or quiet

    def part(start: float, end: float) -> Progress:
        return lambda done, doing: say(start + (end - start) * done, doing)

    files = {
        workshop.file_name("html"): html_report(workshop, part(0.2, 0.45)),
        workshop.file_name("xlsx"): xlsx(workshop, part(0.45, 0.8)),
        workshop.file_name("pptx"): pptx(workshop, part(0.8, 0.9)),
    }
    with zipfile.ZipFile(io.BytesIO(chart_files(workshop, part(0.9, 0.97)))) as charts_zip:
        for info in charts_zip.infolist():
            files[info.filename] = charts_zip.read(info)
    files["weights.json"] = (json.dumps(workshop.weights, indent=2) + "\n").encode("utf-8")
    say(0.98, "Packing the files")
    return zip_files(files)


BUILDERS: dict[str, Callable[[Workshop, Progress | None], bytes]] = {
    "html": html_report,
    "xlsx": xlsx,
    "pptx": pptx,
    "charts": chart_files,
    "zip": pack,
}


def build(workshop: Workshop, fmt: str, progress: Progress | None = None) -> bytes:
    """The pack's file in ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in BUILDERS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    data = BUILDERS[fmt](workshop, progress)
    (progress or quiet)(1.0, "Done")
    return data
