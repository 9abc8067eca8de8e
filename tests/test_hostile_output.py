"""Where reports go when the target is unfriendly (issue #11): a pipe its reader closes, a closed or
full standard output, a read-only or forbidden target, devices, links. Each is a clear one-line
user error (exit 2) or, for a reader that stops early, the verdict's own exit status."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.hostile import run_bounded


def _clear_bom(tmp_path: Path, lines: int = 3_000) -> str:
    """A flat BOM of ``lines`` parts with composition declared free: verdict clear, exit 0, and a
    report far larger than a pipe's buffer."""
    path = tmp_path / "clear.csv"
    path.write_text("sku,qty,mass_g,Dy_pct,origin\n" + "".join(f"R-{i:06d},1,0.5,0,CN\n" for i in range(lines)))
    return str(path)


def _bomaudit(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bomaudit", *args], env={**os.environ, "NO_COLOR": "1"}, **kw)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_a_reader_that_closes_the_pipe_early_leaves_the_verdict_exit_status(tmp_path, fmt):
    bom = _clear_bom(tmp_path)
    full = run_bounded(["scan", bom, "-f", fmt, "--all"])
    assert full.rc == 0 and len(full.stdout) > 200_000, str(full)
    proc = _bomaudit("scan", bom, "-f", fmt, "--all", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)  # like `| head -c 100`
    proc.stdout.close()
    errors = proc.stderr.read().decode()
    assert proc.wait(30) == 0, errors
    assert "Traceback" not in errors and "error" not in errors and "Exception ignored" not in errors, errors


def test_a_failing_verdict_keeps_exit_1_when_the_pipe_closes(tmp_path):
    path = tmp_path / "magnet.csv"
    path.write_text("sku,qty,mass_g,Dy_pct,origin\n" + "".join(f"M-{i:06d},1,10,5,CN\n" for i in range(3_000)))
    proc = _bomaudit("scan", str(path), "-f", "jsonl", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith(b"{")
    proc.stdout.close()
    assert proc.wait(30) == 1


def test_a_closed_standard_output_is_named_when_the_report_goes_there(tmp_path):
    bom = _clear_bom(tmp_path, 10)
    proc = _bomaudit("scan", bom, "-f", "json", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(), close_fds=True, preexec_fn=lambda: os.close(1))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and err.decode().strip() == (
        "error: standard output is closed: there is nowhere to write the report — pass -o FILE, or redirect standard output to a file"
    )
    # with -o, standard output is not needed
    report = tmp_path / "r.json"
    proc = _bomaudit("scan", bom, "-o", str(report), "-q", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert proc.wait(30) == 0 and report.is_file()


def test_a_full_disk_is_a_user_error(tmp_path):
    bom = _clear_bom(tmp_path, 10)
    with open("/dev/full", "wb") as full:
        run = subprocess.run([sys.executable, "-m", "bomaudit", "scan", bom, "-f", "json"], stdout=full, stderr=subprocess.PIPE, timeout=30, check=False)
    assert run.returncode == 2
    assert (
        run.stderr.decode().strip()
        == "error: standard output: cannot write the report (No space left on device) — free some disk space, or write the report elsewhere"
    )
    link = tmp_path / "full.json"
    link.symlink_to("/dev/full")
    run2 = run_bounded(["scan", bom, "-o", str(link)])
    assert run2.rc == 2 and "full.json: cannot write the report (No space left on device)" in run2.stderr, str(run2)
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/full").st_mode)  # written to, never replaced


def test_a_folder_one_may_not_write_to_is_a_user_error(tmp_path):
    run = run_bounded(["scan", _clear_bom(tmp_path, 10), "-o", "/sys/bomaudit-report.json"])
    assert run.rc == 2 and run.stderr.strip() == (
        "error: /sys/bomaudit-report.json: cannot write the report (Permission denied) — choose a folder you may write to, or fix its permissions"
    ), str(run)


def test_a_read_only_report_file_is_not_replaced(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("keep")
    target.chmod(0o444)
    run = run_bounded(["scan", _clear_bom(tmp_path, 10), "-o", str(target)])
    assert run.rc == 2 and "r.json: is read-only: bomaudit will not replace it — make it writable (chmod u+w) or write elsewhere" in run.stderr, str(run)
    assert target.read_text() == "keep"


def test_report_files_get_the_umask_mode_and_links_are_followed(tmp_path):
    bom = _clear_bom(tmp_path, 10)
    report = tmp_path / "r.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os, sys, runpy; os.umask(0o027); sys.argv = ['bomaudit', 'scan', {bom!r}, '-q', '-o', {str(report)!r}]; runpy.run_module('bomaudit', run_name='__main__')",
        ],
        check=False,
    )
    assert proc.returncode == 0 and stat.S_IMODE(report.stat().st_mode) == 0o640
    report.chmod(0o604)
    link = tmp_path / "latest.json"
    link.symlink_to(report.name)
    assert run_bounded(["scan", bom, "-q", "-o", str(link)]).rc == 0
    assert link.is_symlink() and stat.S_IMODE(report.stat().st_mode) == 0o604  # the file it names replaced, its mode kept
    assert '"verdict":"clear"' in report.read_text()


def test_a_named_pipe_is_written_to_in_place(tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    run = run_bounded(["scan", _clear_bom(tmp_path, 10), "-f", "json", "-o", str(fifo)])
    reader.join(30)
    assert run.rc == 0 and received and received[0].startswith(b"{"), str(run)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize(
    ("column", "values", "kind"),
    [("qty", [[1], [2]], "lists (List(Int64))"), ("Dy_pct", [{"a": 1.0}, {"a": 2.0}], "structs"), ("sku", [b"A", b"B"], "binary data (Binary)")],
)
def test_parquet_columns_that_are_not_one_value_per_cell_are_user_errors(tmp_path, column, values, kind):
    import polars as pl

    data = {"sku": ["A", "B"], "qty": [1, 2], "mass_g": [1.0, 1.0]}
    data[column] = values
    path = tmp_path / "nested.parquet"
    pl.DataFrame(data).write_parquet(path)
    run = run_bounded(["scan", str(path)])
    assert run.rc == 2 and f"nested.parquet, column '{column}': the column holds {kind}" in run.stderr, str(run)
    assert "internal error" not in run.stderr
