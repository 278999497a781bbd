"""``--help`` of every command reads as plain text (no reST markup) and names the options
every command has (--quiet, --lang); the command table lists what the modules register; the
CLI imports only the module of the command it runs, and a quote or bcp no pandas."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cyberloss.cli import COMMANDS, build_parser, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_is_plain_text(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out and ":class:" not in out and ":mod:" not in out
    assert "--quiet" in out and "--lang {ja,en}" in out
    assert out.count("\n") > 5


def test_the_command_table_is_what_the_modules_register():
    """--help lists COMMANDS without importing the modules: their names, order and one-line
    help must be what each module's register() adds."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert [(a.dest, a.help) for a in sub._choices_actions] == list(COMMANDS.items())


def loaded_modules(*argv: str) -> set[str]:
    """The modules a fresh interpreter has loaded after ``cyberloss argv`` ran."""
    code = ("import json, sys\nfrom cyberloss.cli import main\nstatus = main(sys.argv[1:])\n"
            "print(json.dumps([status, sorted(sys.modules)]), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          check=True)
    status, modules = json.loads(done.stderr.splitlines()[-1])
    assert status == 0
    return set(modules)


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_load_no_command_nor_numpy(argv):
    loaded = loaded_modules(*argv)
    assert not loaded & {"numpy", "pandas", "pyarrow", "matplotlib"}
    assert not loaded & {f"cyberloss.cli.{name}" for name in COMMANDS}


def test_a_command_loads_no_other_command():
    loaded = loaded_modules("quote", "--help")
    assert {f"cyberloss.cli.{name}" for name in COMMANDS} & loaded == {"cyberloss.cli.quote"}


@pytest.mark.parametrize("argv", [[], ["--json"]])
@pytest.mark.parametrize(("command", "profile"), [("quote", "sme_manufacturer.toml"),
                                                  ("bcp", "manufacturer.toml")])
def test_a_quote_or_a_bcp_comparison_loads_no_pandas(command, profile, argv):
    """Their text and JSON come from the core's numbers without pandas (nor pyarrow, which
    pandas loads): its import took about a third of a quote's time."""
    path = Path(__file__).resolve().parents[2] / "examples" / profile
    loaded = loaded_modules(command, str(path), *argv)
    assert f"cyberloss.cli.{command}" in loaded
    assert not loaded & {"pandas", "pyarrow", "matplotlib"}


@pytest.mark.parametrize("argv, prog", [(["jnsa", "--replications", "20"], "cyberloss jnsa"),
                                        (["no-such-command"], "cyberloss")])
def test_ctrl_c_while_the_command_loads_is_one_line(argv, prog, monkeypatch, capsys):
    """Ctrl-C in the first second (the parser is built, the command's module imported) ends
    as it does during the run: one line, status 130, no traceback."""
    import cyberloss.cli as cli

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(argv) == 130
    assert capsys.readouterr().err.strip().splitlines() == [f"{prog}: interrupted"]
