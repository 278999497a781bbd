"""Acceptance 5: the JNSA reproduction tables do not change because loss components, business
interruption and internal effort were added (they live in their own data file and modules,
and the organisation simulation only reads the calibration)."""
from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pandas as pd

from cyberloss import calibration
from cyberloss import organisation as org
from cyberloss.calibration import jnsa
from cyberloss.organisation import bcp, scenario

REPLICATIONS, SEED = 2_000, 7


def test_jnsa_tables_identical_with_and_without_organisation_use(tmp_path):
    reference = tmp_path / "reference.pkl"
    # a fresh interpreter that never imports the organisation, components or bcp modules
    script = textwrap.dedent(f"""
        import pickle, sys
        from cyberloss.calibration import jnsa
        assert not any(m in sys.modules for m in
                       ("cyberloss.organisation", "cyberloss.components", "cyberloss.bcp"))
        rep = jnsa.reproduce(replications={REPLICATIONS}, seed={SEED})
        with open({str(reference)!r}, "wb") as fh:
            pickle.dump((rep.margins, rep.interactions, rep.severity), fh)
        """)
    subprocess.run([sys.executable, "-c", script], check=True)
    with open(reference, "rb") as fh:
        margins, interactions, severity = pickle.load(fh)

    # use everything this issue adds, then rebuild the tables in this process
    cal = calibration.load()
    profile = org.OrganisationProfile(industry="manufacturing", size="large", revenue=20e9,
                                      personal_records=10_000, controls={"restore_drills": True})
    org.simulate_organisation(profile, 20_000, 1, calibration=cal)
    bcp.compare(profile, years=10_000, seed=2, calibration=cal)
    scenario.Scenario(profile=profile, attack_type="ransomware", downtime_days=14).evaluate(calibration=cal)

    rep = jnsa.reproduce(replications=REPLICATIONS, seed=SEED)
    pd.testing.assert_frame_equal(rep.margins, margins)
    pd.testing.assert_frame_equal(rep.interactions, interactions)
    pd.testing.assert_frame_equal(rep.severity, severity)


def test_survey_severity_used_by_organisations_is_the_jnsa_one():
    """The organisation model takes its survey-basis severity from the calibration unchanged:
    the lognormal means equal the published JNSA means the reproduction checks."""
    cal = calibration.load()
    for attack_type, published in (("ransomware", 6019e4), ("web_leak_card", 3608e4),
                                   ("web_leak_personal", 2407e4)):
        period = "recent" if attack_type == "ransomware" else "cumulative"
        assert abs(cal.severity(attack_type, period=period).mean() / published - 1) < 1e-9
