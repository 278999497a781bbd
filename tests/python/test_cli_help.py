"""``--help`` of every command reads as plain text (no reST markup) and names the options
every command has (--quiet, --lang)."""
from __future__ import annotations

import pytest

from cyberloss.cli import SUBCOMMANDS, main


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_help_is_plain_text(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out and ":class:" not in out and ":mod:" not in out
    assert "--quiet" in out and "--lang {ja,en}" in out
    assert out.count("\n") > 5
