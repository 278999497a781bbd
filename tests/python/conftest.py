import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# CI runs the same Hypothesis examples every time (a landing run must not fail by chance);
# local runs explore new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = getattr(config, "malformed_counts", None)
    if counts:
        terminalreporter.write_line(
            f"malformed-input sweep: {counts['cases']} cases, {counts['totals']} in {counts['seconds']} s "
            "(by loader and mutation kind: build/test-output/malformed-inputs.json)")
        for loader, results in sorted(counts["by_loader"].items()):
            terminalreporter.write_line(f"  {loader:28} {results}")
