import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# CI runs the same Hypothesis examples every time (a landing run must not fail by chance);
# local runs explore new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
