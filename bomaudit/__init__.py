"""bomaudit: which SKUs fall under China's 2025 rare-earth export controls."""

__version__ = "0.1.0"
