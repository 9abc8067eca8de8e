"""The roll-up: per one unit of every SKU, mass and element masses summed through the DAG.

Steps, each its own module: ``graph`` (edges, cycles, products), ``leaves`` (what each part
contributes), ``totals`` (sums up the DAG, the SKU frame), ``below`` (contributors and the parts
with missing data or assumed origins); ``dag`` holds the graph algorithms they share.
"""

from bomaudit.rollup.below import MAX_CONTRIBUTORS
from bomaudit.rollup.core import rollup
from bomaudit.rollup.model import Rollup, RollupOptions
from bomaudit.rollup.totals import MASS_TOLERANCE

__all__ = ["MASS_TOLERANCE", "MAX_CONTRIBUTORS", "Rollup", "RollupOptions", "rollup"]
