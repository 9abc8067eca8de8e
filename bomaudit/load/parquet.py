"""Parquet input: columns keep their types; numbers need no parsing."""

from __future__ import annotations

import io

from bomaudit.errors import BomauditError
from bomaudit.load.header import unique_headers
from bomaudit.load.interface import ROW, RawTable, ReadOptions


def read_parquet(path: str, data: bytes, digest: str, options: ReadOptions) -> list[RawTable]:
    """A :class:`~bomaudit.load.interface.Reader`; no option changes how Parquet is read."""
    import polars as pl

    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise BomauditError.at("bad-parquet", f"is not a readable Parquet file ({type(exc).__name__})", "export it again", file=path) from None
    names = unique_headers(list(frame.columns))
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return [RawTable(path, None, digest, frame, 1, [], {"format": "parquet"})]
