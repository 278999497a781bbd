"""``cyberloss serve``: a web page for risk managers, served by cyberloss on their own machine.

Organisation (the profile, field by field from the schema), Losses (expected loss by attack
type and component, VaR/TVaR, the EP curve), Cover (the policy, insured and retained, the
deductible x limit grid and its recommendation) and BCP (controls and BCP targets compared
with common random numbers).  The numbers are those of ``cyberloss quote`` and ``cyberloss
bcp`` on the same profile, seed and years.

* :mod:`.forms`: the inputs, built from ``config.documents``, read and checked as the CLI does;
* :mod:`.jobs`: background runs in worker processes, bounded, with progress and cancellation;
* :mod:`.worker`: what a run computes;
* :mod:`.app`: the Starlette application and its pages (``templates/``, ``static/``).

Needs the ``web`` extra (starlette, jinja2, uvicorn, python-multipart).
"""
