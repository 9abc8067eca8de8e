"""README shows real output: these checks fail when a command's output drifts from its copy."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from bomaudit.cli import app

from .conftest import REPO

runner = CliRunner()
README = (REPO / "README.md").read_text()

QUOTED = [
    ["scan", "sample_boms/ev_traction_motor.xlsx", "--as-of", "2026-11-28"],
    ["validate", "sample_boms/smartphone_flat.csv", "--parts", "sample_boms/smartphone_parts.csv", "--assembly", "PHONE-X1"],
    ["validate", "tests/corpus/flat/respirometry_shoplist.csv"],
    # the materials library's end-to-end run (README, 'Materials library'); needs ../shared
    ["scan", "../shared/real_boms/ironless_qdd_actuator_BOM.xlsx", "--as-of", "2026-11-28"],
]


@pytest.mark.parametrize("args", QUOTED, ids=[f"{a[0]}{i}" for i, a in enumerate(QUOTED)])
def test_readme_quotes_real_output(args: list[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    if any(a.startswith("../shared/") for a in args) and not (REPO / args[1]).exists():
        pytest.skip("../shared is absent (a user's clone)")
    result = runner.invoke(app, args)
    assert result.stdout in README, f"README's copy of `bomaudit {' '.join(args)}` is out of date"


def test_readme_quotes_the_rules_table(monkeypatch: pytest.MonkeyPatch):
    result = runner.invoke(app, ["rules", "--as-of", "2026-11-28"])
    head = "\n".join(result.stdout.splitlines()[:22])
    assert head in README


def commands() -> list[str]:
    """Every command of the Typer app, read from the app itself (not a list kept by hand)."""
    import typer.main

    return sorted(typer.main.get_command(app).commands)


def test_the_app_has_the_commands_readme_names():
    assert {"scan", "validate", "rules"} <= set(commands())


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_and_a_readme_section(command: str):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    summary = result.stdout.split("\n\n")[1].strip()
    assert len(summary) > 20, f"{command} has no help text"
    assert f"### `bomaudit {command}`" in README


@pytest.mark.parametrize("command", commands())
def test_every_option_of_every_command_is_in_readme(command: str):
    help_text = runner.invoke(app, [command, "--help"], terminal_width=200).stdout
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", help_text)) - {"--help"}
    missing = sorted(o for o in options if f"`{o}" not in README)
    assert missing == []
