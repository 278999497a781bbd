"""``cyberloss demo``: simulate the example organisation, print its statistics, plot its EP curve."""
from __future__ import annotations

from pathlib import Path

from ..engine import simulate
from ..spec import load_model
from .simulate import print_table

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "simulate_basic.toml"


def plot_ep_curve(result, path: Path) -> None:
    import numpy as np

    from ..plotting import pyplot
    plt = pyplot()

    periods = np.unique(np.geomspace(1.25, min(result.years / 10, 1000), 40).round(2))
    curve = result.ep_curve(periods)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(curve["return_period"], curve["loss"] / 1e4, marker=".")
    ax.set_xscale("log")
    ax.set_xlabel("return period (years)")
    ax.set_ylabel("annual loss (万円)")
    ax.set_title("Annual loss exceedance curve (AEP)")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = load_model(args.spec)
    result = simulate(model, years=args.years, seed=args.seed)
    print_table(result)
    png = out / "ep_curve.png"
    plot_ep_curve(result, png)
    print(f"EP curve written to {png}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help="simulate an example organisation and plot its EP curve")
    p.add_argument("--spec", default=str(EXAMPLE), help="model TOML (default: examples/simulate_basic.toml)")
    p.add_argument("--years", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=20250723)
    p.add_argument("--out", default="demo_out", help="folder for the plot")
    p.set_defaults(func=run)
