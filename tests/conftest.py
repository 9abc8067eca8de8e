from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

AS_OF = dt.date(2026, 11, 28)
REPO = Path(__file__).resolve().parents[1]
#: real BOM exports of public projects, beside the checkout as ../shared/real_boms (a user's clone has none)
REAL = REPO.parent / "shared" / "real_boms"
needs_real_boms = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real_boms is not beside the checkout")


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file into tmp_path and return its path as str."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return str(path)

    return _write
