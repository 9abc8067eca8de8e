"""The roll-up: per one unit of every SKU, mass and element masses summed through the DAG."""

from bomaudit.rollup.core import MASS_TOLERANCE, MAX_CONTRIBUTORS, Rollup, RollupOptions, rollup

__all__ = ["MASS_TOLERANCE", "MAX_CONTRIBUTORS", "Rollup", "RollupOptions", "rollup"]
