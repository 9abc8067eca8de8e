"""Multi-level ERP and PLM exports as they are written: parents written once, top items that are
not a row, one explosion per top part (issue #12).

* **Parents written once.** Odoo's ``mrp.bom`` export fills the parent (the BoM's product) on a
  BoM's first line and leaves it blank on the lines that follow. Read as written, every blank is a
  top item. :func:`fill_down_parents` reads a blank as "same as above" when the column's own
  pattern says so, with a warning giving the rule.
* **The top item is not a row.** SAP CS12, SOLIDWORKS and most PDM exports list the components of
  one assembly from level 1 (or outline ``1``, ``1.1``…); the assembly is named in a title row or
  header block above the table (``Material 100-100 … Plant 1000 … Alternative 1``), or only by the
  file's name. :func:`blocks` finds the name; the structure adds the top item.
* **One explosion per top part.** A CS12 download of several materials repeats the header block
  and the table's header per material. Each block is its own top item's explosion; a block sorted
  by level rather than indented cannot say which line is whose parent, and is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import listed
from bomaudit.fields import norm_header
from bomaudit.load import ROW
from bomaudit.normalise.context import text
from bomaudit.normalise.evidence import level_values

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.rows import RowClasses

# --- parents written once -------------------------------------------------------------


def fill_down_parents(t: TableContext, cols: Columns, rows: RowClasses, parent: pl.Series) -> pl.Series:
    """``parent`` with blanks read as the parent above them, when the column writes each parent
    once: some blank follows a filled cell, no filled cell repeats the one on the line before (a
    column that writes its parent on every line would), every blank line has a quantity and no
    level, and no blank line's part is the parent above it (such lines declare top items)."""
    import polars as pl

    nulls = parent.null_count()
    if nulls == 0 or nulls == parent.len() or (parent == parent.shift(1)).any():
        return parent  # the common cases, decided on the column alone: a parent written on two lines in a row
    frame = pl.DataFrame({"p": parent, "sku": rows.sku, "keep": rows.keep, ROW: t.frame[ROW]}).filter(pl.col("keep"))
    if frame.height < 2 or frame["p"].null_count() in (0, frame.height):
        return parent
    frame = frame.with_columns(above=pl.col("p").forward_fill())
    blank_after = frame["p"].is_null() & frame["above"].is_not_null()
    if not blank_after.any():
        return parent
    repeated = (frame["p"].is_not_null() & (frame["p"] == frame["p"].shift(1))).fill_null(False)
    if repeated.any() or (blank_after & (frame["sku"] == frame["above"])).fill_null(False).any():
        return parent
    if "level" in cols.fields:
        level = text(t.frame, cols.fields["level"]).filter(rows.keep)
        if (blank_after & level.is_not_null()).any():
            return parent
    # a line of a BoM has its own quantity; a line declaring a top item need not (bomaudit's own
    # parent-child convention leaves it blank): without quantities on every such line, no guess
    quantity = [text(t.frame, h).filter(rows.keep).is_not_null() for h in cols.headers_for("qty")]
    if not quantity or not pl.select(pl.any_horizontal(quantity)).to_series().filter(blank_after).all():
        return parent
    header = cols.fields["parent"]
    first = frame.filter(blank_after).row(0, named=True)
    t.issues.warn(
        "parent-filled-down",
        f"column {header!r} names each parent once, on the first of its lines ({int(blank_after.sum())} line(s) with it blank follow a line with it "
        f"filled, and no line repeats the parent of the line before): a blank is read as the parent above it, e.g. row {first[ROW]} under {first['above']!r}",
        "write the parent on every line if a blank means a top item",
        **t.where(row=first[ROW], column=header),
    )
    keep_filled = pl.DataFrame({"p": pl.select(pl.when(rows.keep).then(parent)).to_series()}).select(pl.col("p").forward_fill()).to_series()
    return pl.select(pl.when(rows.keep).then(keep_filled).otherwise(parent)).to_series()


def fill_down(values: pl.Series, rows: RowClasses) -> pl.Series:
    """A BoM-level column (Odoo's ``Quantity``) filled on the first line of each BoM: blanks take the value above."""
    import polars as pl

    kept = pl.DataFrame({"v": pl.select(pl.when(rows.keep).then(values)).to_series()}).select(pl.col("v").forward_fill()).to_series()
    return pl.select(pl.when(rows.keep).then(kept).otherwise(values)).to_series()


def per_base(t: TableContext, cols: Columns, rows: RowClasses, qty: pl.Series) -> pl.Series:
    """Quantities of lines that make a batch of their parent (Odoo's BoM ``Quantity``: the lines
    make that many) divided by the batch, to quantities per one parent. The batch is written on
    a BoM's first line; a blank takes the one above when the parent is written once."""
    import polars as pl

    if "base_qty" not in cols.fields:
        return qty
    header = cols.fields["base_qty"]
    base = t.numbers(header, "base quantity", "write how many of the parent the lines make, a number greater than 0").values
    base = fill_down(base, rows) if "parent" in cols.fields else base
    t.report_bad(
        (base <= 0).fill_null(False) & rows.used, header, "bad-qty", "base quantity must be greater than 0", "write how many of the parent the lines make"
    )
    divided = (base.is_not_null() & (base != 1)).fill_null(False) & rows.used
    if divided.any():
        row = t.frame.filter(divided)[ROW][0]
        t.issues.warn(
            "qty-per-base",
            f"column {header!r} says how many of the parent the lines make: {int(divided.sum())} line(s) divided by it to a quantity per parent",
            **t.where(row=row, column=header),
        )
    return pl.select(pl.when(base > 0).then(qty / base).otherwise(qty)).to_series()


def refuse_totals(t: TableContext, cols: Columns, shape: str) -> None:
    """Quantities multiplied through the parents cannot be divided back without the tree's order."""
    if cols.cumulative is not None:
        t.issues.error(
            "qty-multiplied",
            f"column {cols.cumulative!r} gives quantities multiplied through the parents (how many the top item needs), which {shape} cannot divide back",
            "name the quantity per parent with --map qty=HEADER",
            **t.where(row=t.raw.header_row, column=cols.cumulative),
        )


# --- top items named above the table, and blocks --------------------------------------

#: labels of a header block's line naming the top item (``Material 100-100``, ``Assembly: A-1``)
TOP_LABELS = frozenset(
    norm_header(h)
    for h in (
        "material",
        "material number",
        "material no",
        "materialnummer",
        "part number",
        "part no",
        "assembly",
        "top item",
        "top level",
        "product",
        "parent",
        "parent part",
        "item",
        "artikel",
        "artikelnummer",
        "sachnummer",
        "bom for",
        "header material",
    )
)
#: labels of a header block's other lines (SAP CS12: plant, alternative, usage, quantities, dates)
META_LABELS = frozenset(
    norm_header(h)
    for h in (
        "plant",
        "werk",
        "alternative",
        "alternative bom",
        "alt bom",
        "bom usage",
        "usage",
        "base quantity",
        "base qty",
        "required qty",
        "required quantity",
        "valid from",
        "valid to",
        "date",
        "explosion date",
        "description",
        "revision",
        "rev",
        "status",
        "bom status",
        "printed",
        "page",
        "user",
        "created",
        "created by",
    )
)
_TITLE = re.compile(r"(?i)^\s*(?:multi-?level\s+|indented\s+|structured\s+)?(?:bom|bill of materials?|stückliste|explosion)\s*(?:for|of|:|-|–)\s*(\S+)")
_LABELLED = re.compile(r"^\s*([^:=]+?)\s*[:=]\s*(\S+)")


def top_named(cells: list[str]) -> str | None:
    """The top item a title or header-block line names: ``Material | 100-100 | Casing``,
    ``Material: 100-100``, ``BOM for EM-150``; None for any other line, and for a word that is no
    part number (``Material list``, ``Material: Steel``: a part number has a digit or is in capitals)."""
    name = _top_named(cells)
    return name if name is not None and (any(c.isdigit() for c in name) or name.isupper()) else None


def _top_named(cells: list[str]) -> str | None:
    if not cells:
        return None
    first = cells[0]
    if norm_header(first) in TOP_LABELS:
        return cells[1].split()[0] if len(cells) > 1 and cells[1].split() else None
    if (m := _LABELLED.match(first)) and norm_header(m.group(1)) in TOP_LABELS:
        return m.group(2)
    words = first.split()
    for k in (2, 1):
        if len(words) > k and norm_header(" ".join(words[:k])) in TOP_LABELS:
            return words[k]
    if m := _TITLE.match(first):
        return m.group(1)
    return None


def is_block_label(cells: list[str]) -> bool:
    """A header-block line: its first cell is a label of one (``Plant``, ``Alternative``…) or names the top item."""
    if not cells:
        return False
    first = cells[0].rstrip(":").strip()
    words = first.split()
    return norm_header(first) in META_LABELS or (bool(words) and norm_header(words[0]) in META_LABELS) or top_named(cells) is not None


@dataclass(slots=True)
class Block:
    """Lines of an indented table that are one top item's explosion."""

    start: int  # index (into the table's rows) of the first row of the block
    name: str | None  # the top item a title or header block names
    named_at: int | None  # the row number of that line (None: above the header, or no name)


def block_lines(t: TableContext, cols: Columns, rows: RowClasses) -> list[Block]:
    """The blocks of an indented table: a new one starts where a header-block line among the rows
    (its level cell is a label, not a level: ``Material | 100-200``) names another top item; the
    header or a header block repeated without a new name is a page break, and the explosion goes
    on. Header-block lines are marked as not parts in ``rows``, with a warning. The first block's
    name may come from above the header."""
    import polars as pl

    header = cols.fields["level"]
    title_rows: list[int] = []
    if t.frame[header].dtype == pl.String:  # a typed level column holds no labels
        # letters where a level belongs; a level never has one ('.1', '..2', '1.2.3')
        letters = t.frame[header].str.contains(r"[^\W\d_]").fill_null(False) & rows.keep
        if letters.any():
            title_rows = (letters & level_values(t.frame, header).is_null()).arg_true().to_list()
    titles = []
    for i in title_rows:
        cells = [c for c, h in zip(t.frame.row(i), t.frame.columns, strict=True) if h != ROW and c is not None and str(c).strip()]
        cells = [" ".join(str(c).split()) for c in cells]
        if is_block_label(cells):
            titles.append((i, top_named(cells)))
    above = next((name for _, cells in t.raw.above if (name := top_named(cells)) is not None), None)
    blocks = [Block(0, above, None)]
    repeated = t.not_data if t.not_data is not None else pl.repeat(False, t.frame.height, eager=True)
    bounds = sorted({i for i, _ in titles} | set(repeated.arg_true().to_list()))
    names = dict(titles)
    if titles:
        mask = pl.Series([False] * t.frame.height)
        mask = mask.scatter([i for i, _ in titles], True)
        _not_parts(t, rows, mask)
    runs: list[list[int]] = []
    for i in bounds:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        name, at = next(((names[i], i) for i in run if names.get(i) is not None), (None, None))
        # a run naming no other item is the header (block) repeated per page: the explosion goes on
        if name is None or name == blocks[-1].name:
            continue
        if run[0] == 0:
            blocks[0].name, blocks[0].named_at = name, int(t.frame[ROW][at])
        else:
            blocks.append(Block(run[0], name, int(t.frame[ROW][at])))
    return blocks


def _not_parts(t: TableContext, rows: RowClasses, mask: pl.Series) -> None:
    """Header-block lines among the rows are not parts: skipped as footers are, with a warning."""
    found = t.frame.filter(mask)[ROW].to_list()
    rows.keep = rows.keep & ~mask
    rows.used = rows.used & ~mask
    rows.footer = rows.footer | mask
    what = (
        "a header block among the rows (a title, or 'Material', 'Plant', 'Alternative'… where a level belongs), not a part: "
        "skipped; the lines after it are the explosion of the item it names"
    )
    t.issues.warn("block-header", what if len(found) == 1 else f"rows {listed(found)}: {what}", **t.where(row=found[0]))


#: what an export adds to the top item's number in the file's name: "DVT0161720_sw" (bomcheck's
#: SOLIDWORKS export), "_sl" (SyteLine), "-BOM", " bom"
EXPORT_SUFFIX = r"(?i)[ _-](sw|sl|bom|indented|explosion)$"


def top_name(t: TableContext, block: Block, k: int, several: bool) -> tuple[str, str]:
    """The name of a block's top item and where it comes from, for the warning: --assembly, a title
    or header block, else the file's name (with the block's number when the table has several)."""
    if t.options.assembly and not several:
        return t.options.assembly, "--assembly"
    if block.name is not None:
        return block.name, "the title above the table" if block.named_at is None else f"the header block on row {block.named_at}"
    stem = re.sub(EXPORT_SUFFIX, "", Path(t.raw.path).stem) or Path(t.raw.path).stem if t.raw.path != "-" else "stdin"
    return (f"{stem} #{k + 1}", "the file's name and the block's number") if several else (stem, "the file's name")


def add_tops(t: TableContext, header: str, lines: pl.DataFrame, blocks: list[Block]) -> pl.DataFrame:
    """The lines of an indented table with a top item added before each block whose lowest level is
    1 or more and whose top item is not a row: a title or header block names it, or the block has
    several lines at its lowest level and some of them are loose parts (nothing below them). When
    each of those lines has parts below it, they are the top items of as many explosions (a
    multi-top export), and stay so with a warning: reading several products as one could hide the
    one that crosses the threshold in the average. ``i`` is renumbered (in row order) to make room.
    Errors for a block starting below its lowest level, and for explosions sorted by level."""
    import numpy as np
    import polars as pl

    starts = np.array([b.start for b in blocks], dtype=np.int64)
    lines = lines.with_columns(block=pl.Series(np.searchsorted(starts, lines["i"].to_numpy(), side="right") - 1, dtype=pl.Int64))
    lines = lines.with_columns(low=pl.col("level").min().over("block"), leaf=(pl.col("level").shift(-1).over("block") <= pl.col("level")).fill_null(True))
    per = lines.group_by("block", maintain_order=True).agg(
        pl.col("low").first(),
        (pl.col("level") == pl.col("low")).sum().alias("n_low"),
        (pl.col("leaf") & (pl.col("level") == pl.col("low"))).any().alias("loose"),
        pl.col("level").first().alias("first"),
        pl.col("_row").first().alias("row"),
        pl.col("i").first().alias("i"),
    )
    several = per.height > 1 or int(per["n_low"].max()) > 1
    virtual = [v for rec in per.iter_rows(named=True) if (v := _block_top(t, header, blocks[rec["block"]], rec, several)) is not None]
    n = lines.height + 1
    tops_at = {v["block"] for v in virtual}
    # one explosion per block with a top item added, else per line at the block's lowest level
    lines = lines.with_columns(
        explosion=pl.when(pl.col("block").is_in(sorted(tops_at)))
        .then(pl.col("block") * n)
        .otherwise(pl.col("block") * n + (pl.col("level") == pl.col("low")).cum_sum())
    )
    if lines["explosion"].n_unique() > 1:
        _refuse_level_sorted(t, header, lines)
    lines = lines.drop("block", "low", "leaf", "explosion").with_columns(i=pl.col("i") * 2 + 1)
    if virtual:
        tops = pl.DataFrame([{k: v[k] for k in lines.columns} for v in virtual], schema=lines.schema).with_columns(i=pl.col("i") * 2)
        lines = pl.concat([lines, tops], how="vertical").sort("i")
    return lines


def _block_top(t: TableContext, header: str, block: Block, rec: dict, several: bool) -> dict | None:
    """The top item line to add before a block (see :func:`add_tops`), or None; the warnings."""
    low, n_low, row = rec["low"], rec["n_low"], rec["row"]
    if rec["first"] != low:
        t.issues.error(
            "block-start",
            f"the block starting here begins at level {rec['first']}, below its top level {low}: its parent would be taken from the block above",
            "start each block with its top level, or repeat the assembly line",
            **t.where(row=row, column=header),
        )
    if low < 1 or (block.name is None and n_low < 2):
        return None
    if block.name is None and not rec["loose"] and not t.options.assembly:
        t.issues.warn(
            "top-items-exploded",
            f"the lowest level is {low} and no title names a top item; each of the {n_low} level-{low} lines from row {row} has parts below it: "
            "read as the top items of as many explosions",
            "if they are the parts of one assembly, name it with --assembly NAME",
            **t.where(row=row, column=header),
        )
        return None
    name, source = top_name(t, block, rec["block"], several and block.name is None and rec["block"] > 0)
    t.issues.warn(
        "top-item-named",
        f"the lowest level is {low} and no line is the top item: the {n_low} level-{low} line(s) from row {row} are read as the parts of {name!r}, "
        f"named by {source}",
        "add the top item as a level-0 line, or name it with --assembly NAME",
        **t.where(row=row, column=header),
    )
    return {
        "i": rec["i"],
        "level": low - 1,
        "sku": name,
        "qty": 1.0,
        "bulk": False,
        "measure": None,
        "_row": block.named_at or row,
        "live": True,
        "keep": True,
        "block": rec["block"],
    }


def _refuse_level_sorted(t: TableContext, header: str, lines: pl.DataFrame) -> None:
    """A table of several explosions, each sorted by level (all level-1 lines, then all level-2…)
    rather than indented: below a level with two or more lines, which line is a line's parent
    cannot be told from its position. An error, not a guess. (Each explosion in level order and
    one with two or more lines on two levels in a row: a tree printed depth first rarely is.)"""
    import polars as pl

    if not lines.group_by("explosion").agg((pl.col("level").diff().fill_null(0) >= 0).all().alias("sorted"))["sorted"].all():
        return
    counts = lines.group_by("explosion", "level").agg(pl.len().alias("n"), pl.col("_row").first().alias("row"))
    below = counts.select("explosion", (pl.col("level") - 1).alias("level"), pl.col("n").alias("n_below"), pl.col("row").alias("child_row"))
    deeper = counts.join(below, on=["explosion", "level"])
    if deeper.filter((pl.col("n") > 1) & (pl.col("n_below") > 1)).height == 0:
        return
    first = deeper.filter(pl.col("n") > 1).sort("child_row").row(0, named=True)
    level, row = first["level"], first["child_row"]
    t.issues.error(
        "level-sorted",
        f"each explosion in this table is sorted by level (its level-{level} lines, then its level-{level + 1} lines…) rather than indented: "
        f"which of the level-{level} lines above this level-{level + 1} line is its parent cannot be told",
        "export the explosion indented (each assembly's lines right below it), or add a parent column naming each line's parent",
        **t.where(row=row, column=header),
    )


def divide_totals(t: TableContext, header: str, lines: pl.DataFrame) -> pl.DataFrame:
    """Quantities multiplied through the parents (``Comp. Qty (CUn)``) back to quantities per
    parent: each line's divided by its parent line's (a top item's is 1). Said in a warning."""
    import polars as pl

    parents = lines.select(pl.col("i").cast(pl.Int64).alias("parent_i"), pl.col("qty").alias("_parent_qty"))
    out = lines.join(parents, on="parent_i", how="left", maintain_order="left")
    t.issues.warn(
        "qty-multiplied",
        f"column {header!r} gives quantities multiplied through the parents (how many the top item needs): "
        "each line's quantity per parent is its quantity divided by its parent line's",
        "name a quantity-per-parent column with --map qty=HEADER if the file has one",
        **t.where(column=header),
    )
    return out.with_columns(qty=pl.when(pl.col("_parent_qty").is_not_null()).then(pl.col("qty") / pl.col("_parent_qty")).otherwise(pl.col("qty"))).drop(
        "_parent_qty"
    )
