"""``cyberloss demo``: quote the example SME manufacturer and plot its EP curve.

Runs ``cyberloss quote`` on ``examples/sme_manufacturer.toml`` (organisation profile, policy
terms and quote settings) and writes into ``--out``: the EP curve (``ep_curve.png``, return
periods on a log axis), the HTML report (``quote.html``) and the JSON quote (``quote.json``).
"""
from __future__ import annotations

import json
from pathlib import Path

from .quote import write_outputs


def example_path(name: str) -> Path:
    """An example file: the repository's examples/ in a checkout, else the copy in the package."""
    repo = Path(__file__).resolve().parents[3] / "examples" / name
    if repo.is_file():
        return repo
    from importlib import resources
    return Path(str(resources.files("cyberloss") / "examples" / name))


EXAMPLE = example_path("sme_manufacturer.toml")


def run(args) -> int:
    from ..quote import quote_profile

    profile = Path(args.profile)
    if not profile.is_file():
        raise FileNotFoundError(f"profile not found: {profile} (give --profile PROFILE.toml)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    quote = quote_profile(profile, years=args.years, seed=args.seed)
    png, page, data = out / "ep_curve.png", out / "quote.html", out / "quote.json"
    write_outputs(quote, png, page)
    data.write_text(json.dumps(quote.to_json(), ensure_ascii=False, indent=2, allow_nan=False),
                    encoding="utf-8")
    print(quote.text())
    print(f"\nEP curve written to {png}\nreport written to {page}\nJSON quote written to {data}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help="quote an example organisation and plot its EP curve")
    p.add_argument("--profile", default=str(EXAMPLE),
                   help="profile TOML with [terms] (default: examples/sme_manufacturer.toml)")
    p.add_argument("--years", type=int, default=None, help="simulated years (default: the profile's)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the profile's)")
    p.add_argument("--out", default="demo_out", help="folder for the plot, report and JSON")
    p.set_defaults(func=run)
