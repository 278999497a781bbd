"""Assemble the documentation site's sources in build/docs-src and build it with MkDocs.

The hand-written pages (docs/site), the model notes and design (docs/*.md), the field
reference generated from the schema (cyberloss.config.reference_pages), the API page
(mkdocstrings) and the notebooks, with their outputs: the executed copies that `make test`
leaves in build/test-output/notebooks are used when they are newer than their notebook and
than every file of the package and its compiled core, else the notebook is executed here (nbclient, as the tests
do) and its copy left there.  Notebooks are kept without outputs, so a site built from them
unexecuted would show code only, and one built from older copies, an older model's numbers.

    python docs/build_site.py [--no-build]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from cyberloss import _core
from cyberloss.config import reference_pages

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "build" / "docs-src"
EXECUTED = ROOT / "build" / "test-output" / "notebooks"

API_MODULES = ("cyberloss", "cyberloss.engine", "cyberloss.distributions", "cyberloss.results",
               "cyberloss.stats", "cyberloss.organisation.profile", "cyberloss.organisation.simulate",
               "cyberloss.organisation.bcp", "cyberloss.insurance.terms", "cyberloss.insurance.pricing",
               "cyberloss.insurance.quote", "cyberloss.portfolio.book", "cyberloss.portfolio.simulate",
               "cyberloss.calibration", "cyberloss.config", "cyberloss.report.money")


def assemble() -> Path:
    if SRC.exists():
        shutil.rmtree(SRC)
    shutil.copytree(ROOT / "docs" / "site", SRC)
    shutil.copy(ROOT / "docs" / "MODEL_NOTES.md", SRC / "model-notes.md")
    shutil.copy(ROOT / "docs" / "DESIGN.md", SRC / "design.md")
    (SRC / "reference").mkdir()
    for name, text in reference_pages.pages().items():
        (SRC / "reference" / name).write_text(text, encoding="utf-8")
    (SRC / "api.md").write_text("# API reference\n\n" + "\n".join(
        f"## `{m}`\n\n::: {m}\n" for m in API_MODULES), encoding="utf-8")
    (SRC / "notebooks").mkdir()
    package = max([Path(_core.__file__).stat().st_mtime] +     # the compiled core, as installed
                  [f.stat().st_mtime for f in (ROOT / "python" / "cyberloss").rglob("*")
                   if f.is_file() and "__pycache__" not in f.parts])
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        done = EXECUTED / nb.name
        if not (done.is_file() and done.stat().st_mtime >= max(nb.stat().st_mtime, package)):
            execute(nb, done)
        shutil.copy(done, SRC / "notebooks" / nb.name)
    return SRC


def execute(notebook: Path, to: Path) -> None:
    """Run ``notebook`` top to bottom in its own directory and write the executed copy to ``to``."""
    print(f"executing {notebook.relative_to(ROOT)}", file=sys.stderr)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    to.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, to)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="assemble the sources only")
    args = parser.parse_args(argv)
    assemble()
    if args.no_build:
        return 0
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}    # the theme's notice about its successor
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(ROOT / "mkdocs.yml")], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
