"""The board's charts as Altair specifications, shared by the pages and the workshop pack.

Pure Altair and pandas (no streamlit): a page draws these charts, and
:mod:`cxprio.outputs.report` renders the same ones to SVG and PNG, so a chart in a report or on
a slide is the chart the room saw. Each function takes the table it draws and returns an
unconfigured chart; :func:`readable` sets the text sizes for a projector.

Charts name what they show: the value map and the ambition chart label the top
:data:`LABELLED` experiences by name, the slope chart names every line at both ends, and
the seam heatmap labels every team it shows.
"""

from __future__ import annotations

from cxprio.outputs.charts.common import (
    BAND_WIDTH as BAND_WIDTH,
)
from cxprio.outputs.charts.common import (
    HEAT_STEP as HEAT_STEP,
)
from cxprio.outputs.charts.common import (
    HEATMAP_TEAMS as HEATMAP_TEAMS,
)
from cxprio.outputs.charts.common import (
    INK as INK,
)
from cxprio.outputs.charts.common import (
    LABEL_GAP as LABEL_GAP,
)
from cxprio.outputs.charts.common import (
    LABEL_LIMIT as LABEL_LIMIT,
)
from cxprio.outputs.charts.common import (
    LABELLED as LABELLED,
)
from cxprio.outputs.charts.common import (
    LEADER as LEADER,
)
from cxprio.outputs.charts.common import (
    LEVEL_COLOURS as LEVEL_COLOURS,
)
from cxprio.outputs.charts.common import (
    MIN_TEXT as MIN_TEXT,
)
from cxprio.outputs.charts.common import (
    MOVEMENT_COLOURS as MOVEMENT_COLOURS,
)
from cxprio.outputs.charts.common import (
    NO_AMBITION as NO_AMBITION,
)
from cxprio.outputs.charts.common import (
    POINT_LIMIT as POINT_LIMIT,
)
from cxprio.outputs.charts.common import (
    READABLE as READABLE,
)
from cxprio.outputs.charts.common import (
    SCATTER_COLUMNS as SCATTER_COLUMNS,
)
from cxprio.outputs.charts.common import (
    SLOPE_LABEL_LIMIT as SLOPE_LABEL_LIMIT,
)
from cxprio.outputs.charts.common import (
    SLOPE_ROW as SLOPE_ROW,
)
from cxprio.outputs.charts.common import (
    TIER_COLOURS as TIER_COLOURS,
)
from cxprio.outputs.charts.common import (
    TIER_ORDER as TIER_ORDER,
)
from cxprio.outputs.charts.common import (
    VALUE_MAP_HEIGHT as VALUE_MAP_HEIGHT,
)
from cxprio.outputs.charts.common import (
    level_colour as level_colour,
)
from cxprio.outputs.charts.common import (
    readable as readable,
)
from cxprio.outputs.charts.decisions import accountability as accountability
from cxprio.outputs.charts.priorities import (
    ambition_points as ambition_points,
)
from cxprio.outputs.charts.priorities import (
    priority_ambition as priority_ambition,
)
from cxprio.outputs.charts.priorities import (
    rank_ranges as rank_ranges,
)
from cxprio.outputs.charts.priorities import (
    scatter_spec as scatter_spec,
)
from cxprio.outputs.charts.priorities import (
    tier_shares as tier_shares,
)
from cxprio.outputs.charts.priorities import (
    value_map as value_map,
)
from cxprio.outputs.charts.quarters import (
    rank_movement as rank_movement,
)
from cxprio.outputs.charts.quarters import (
    slope_points as slope_points,
)
from cxprio.outputs.charts.rounds import (
    DOT_COLOUR as DOT_COLOUR,
)
from cxprio.outputs.charts.rounds import (
    MEDIAN_COLOUR as MEDIAN_COLOUR,
)
from cxprio.outputs.charts.rounds import (
    TIER_AXIS as TIER_AXIS,
)
from cxprio.outputs.charts.rounds import (
    TODAY_COLOUR as TODAY_COLOUR,
)
from cxprio.outputs.charts.rounds import (
    score_dots as score_dots,
)
from cxprio.outputs.charts.seams import (
    maturity_rungs as maturity_rungs,
)
from cxprio.outputs.charts.seams import (
    riskiest_heat as riskiest_heat,
)
from cxprio.outputs.charts.seams import (
    seam_heatmap as seam_heatmap,
)
from cxprio.outputs.charts.seams import (
    team_graph as team_graph,
)
