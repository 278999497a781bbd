"""A seeded generator of malformed inputs for every loader, and the oracle that judges them.

Used by ``test_malformed_inputs.py`` (the sweep in ``make test``) and by the coverage-guided
fuzzer (``tests/fuzz``).  Every case is a command line for ``cyberloss.cli.main`` plus the
files it reads, or a call of the Python API, with what a refusal must name:

* ``field``: the dotted path, option or file the generator corrupted; a refusal must name it
  (the whole dotted path, or its parent path and the key, e.g. ``terms.sections.response``
  and ``limit``);
* ``value``: the corrupted value, which the refusal must show (None when there is none,
  e.g. a missing key);
* ``must_refuse``: true where accepting the input would be a silent error (a boolean or a
  text where a number belongs, NaN, an unknown key, binary garbage ...).

The oracle (``judge``) puts each outcome in one class: ``refused`` (exit 2, one line
``cyberloss <command>: error: ...`` naming the field and the value, nothing on stdout),
``valid`` (exit 0; every JSON document parses with a strict parser), or a failure:
``traceback``, ``crash``, ``multi-line``, ``unnamed-field``, ``unnamed-value``,
``non-finite-output``, ``accepted`` (a must-refuse input run as if valid), ``slow``
(over 60 s) or ``warning`` (a Python warning escaped to the user).
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime
import io
import json
import math
import random
import re
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
FAILURES = ("traceback", "crash", "multi-line", "unnamed-field", "unnamed-value",
            "non-finite-output", "accepted", "slow", "warning", "partial-output")
TIME_LIMIT = 60.0
# The sweep runs as SHARDS tests (test_malformed_inputs.py), each writing its outcomes' records to
# SHARD_RECORDS; conftest.py merges them into COUNTS at the end of the session.
SHARDS = 4
COUNTS = ROOT / "build" / "test-output" / "malformed-inputs.json"
SHARD_RECORDS = COUNTS.parent / "malformed-inputs"


class Deep:
    """A value nested ``depth`` levels deep (lists in TOML and JSON)."""

    def __init__(self, depth: int):
        self.depth = depth


class Duplicate:
    """Marks a key to be written twice (TOML refuses it; JSON keeps the last by default)."""

    def __init__(self, value: Any):
        self.value = value


# ----- writing documents -------------------------------------------------------------------

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def toml_value(v: Any) -> str:
    if isinstance(v, Deep):
        return "[" * v.depth + "]" * v.depth
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def dump_toml(doc: dict) -> str:
    lines: list[str] = []

    def scalars(table: dict) -> None:
        for k, v in table.items():
            if isinstance(v, Duplicate):
                lines.append(f"{_key(k)} = {toml_value(v.value)}")
                lines.append(f"{_key(k)} = {toml_value(v.value)}")
            elif not _is_table(v) and not _is_table_array(v):
                lines.append(f"{_key(k)} = {toml_value(v)}")

    def tables(table: dict, prefix: str) -> None:
        for k, v in table.items():
            name = f"{prefix}{_key(k)}"
            if _is_table(v):
                lines.append(f"\n[{name}]")
                scalars(v)
                tables(v, name + ".")
            elif _is_table_array(v):
                for item in v:
                    lines.append(f"\n[[{name}]]")
                    scalars(item)
                    tables(item, name + ".")

    scalars(doc)
    tables(doc, "")
    return "\n".join(lines) + "\n"


def _is_table(v: Any) -> bool:
    return isinstance(v, dict) and bool(v)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(_is_table(x) for x in v)


def _plain_json(v: Any) -> Any:
    if isinstance(v, Deep):
        return None
    if isinstance(v, Duplicate):
        return v.value
    if isinstance(v, dict):
        return {k: _plain_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain_json(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def dump_json(doc: Any) -> str:
    """JSON text with the markers expanded: Deep as nested lists, Duplicate keys twice,
    NaN/Infinity as Python writes them (a non-strict writer, as a user's tool might be)."""
    try:        # no marker in ``doc``: json's own text, the same as the walk below writes
        return json.dumps(doc, ensure_ascii=False)
    except TypeError:
        pass
    if isinstance(doc, Deep):
        return "[" * doc.depth + "]" * doc.depth
    if isinstance(doc, dict):
        parts = []
        for k, v in doc.items():
            text = dump_json(v.value if isinstance(v, Duplicate) else v)
            parts.append(f"{json.dumps(k, ensure_ascii=False)}: {text}")
            if isinstance(v, Duplicate):
                parts.append(f"{json.dumps(k, ensure_ascii=False)}: {text}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(doc, list):
        return "[" + ", ".join(dump_json(v) for v in doc) + "]"
    return json.dumps(_plain_json(doc), ensure_ascii=False)


# ----- paths in documents ------------------------------------------------------------------

def leaves(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every scalar (and every list of scalars, as a whole and by element)."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(leaves(v, path + (k,)))
    elif isinstance(doc, list):
        if doc and all(isinstance(x, dict) for x in doc):
            for i, v in enumerate(doc):
                out.extend(leaves(v, path + (i,)))
        else:
            out.append(path)
            for i, v in enumerate(doc):
                if not isinstance(v, (dict, list)):
                    out.append(path + (i,))
    else:
        out.append(path)
    return out


def tables(doc: Any, path: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(doc, dict):
        out.append(path)
        for k, v in doc.items():
            out.extend(tables(v, path + (k,)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            if isinstance(v, dict):
                out.extend(tables(v, path + (i,)))
    return out


def get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _along(doc: Any, path: tuple, change: Callable[[Any, Any], None]) -> Any:
    """``doc`` with ``change(node, key)`` made at ``path``: the tables and lists on the path are
    copied, the rest shared with ``doc`` (a case's document is written out, never changed)."""
    out = copy.copy(doc)
    if len(path) == 1:
        change(out, path[0])
    else:
        out[path[0]] = _along(doc[path[0]], path[1:], change)
    return out


def put(doc: Any, path: tuple, value: Any) -> Any:
    return _along(doc, path, lambda node, key: node.__setitem__(key, value))


def drop(doc: Any, path: tuple) -> Any:
    return _along(doc, path, lambda node, key: node.__delitem__(key))


def dotted(path: tuple) -> str:
    text = ""
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text


# ----- mutations ---------------------------------------------------------------------------

@dataclasses.dataclass
class Mutation:
    kind: str
    value: Any
    must_refuse: bool


def number_mutations(base: Any) -> list[Mutation]:
    whole = isinstance(base, int)
    out = [Mutation("type-table", {"a": 1}, True), Mutation("type-list", [1, 2], True),
           Mutation("type-bool", True, True), Mutation("type-string", "abc", True),
           Mutation("type-date", datetime.date(1979, 5, 27), True),
           Mutation("nan", math.nan, True), Mutation("inf", math.inf, False),
           Mutation("-inf", -math.inf, True), Mutation("negative", -1 if whole else -1.5, False),
           Mutation("zero", 0 if whole else 0.0, False), Mutation("huge-float", 1e300, False),
           Mutation("huge-int", 10**400, False), Mutation("int-2^64", 2**64, False),
           Mutation("tiny", 1e-300, False)]
    if whole:
        out.append(Mutation("fraction", 0.5, False))
    return out


def text_mutations(base: str) -> list[Mutation]:
    return [Mutation("type-table", {"a": 1}, True), Mutation("type-list", ["a"], True),
            Mutation("type-bool", False, True), Mutation("type-number", 7, False),
            Mutation("empty-string", "", False), Mutation("unknown-name", "zz_no_such", False),
            Mutation("control-chars", "a\u0000b\nc", False)]


def bool_mutations(base: bool) -> list[Mutation]:
    return [Mutation("type-number", 1, True), Mutation("type-string", "yes", True),
            Mutation("type-table", {"a": True}, True), Mutation("type-list", [True], True)]


def list_mutations(base: list) -> list[Mutation]:
    return [Mutation("empty-list", [], False), Mutation("type-string", "abc", True),
            Mutation("type-table", {"a": 1}, True), Mutation("type-number", 5, True),
            Mutation("deep-nesting", Deep(2000), True)]


def mutations_for(value: Any) -> list[Mutation]:
    if isinstance(value, bool):
        return bool_mutations(value)
    if isinstance(value, (int, float)):
        return number_mutations(value)
    if isinstance(value, str):
        return text_mutations(value)
    if isinstance(value, list):
        return list_mutations(value)
    return []


# ----- cases -------------------------------------------------------------------------------

@dataclasses.dataclass
class Case:
    loader: str
    kind: str
    field: str                     # what the refusal must name
    argv: list[str] | None = None  # CLI run (paths relative to the case folder)
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)
    api: Callable[[Path], Any] | None = None
    value: Any = None              # the corrupted value, None if none
    must_refuse: bool = False
    alternatives: tuple[str, ...] = ()   # other acceptable spellings of the field
    json_output: bool = True

    @property
    def label(self) -> str:
        return f"{self.loader}/{self.kind}/{self.field}"


def value_tokens(value: Any) -> list[str]:
    """Spellings of ``value`` one of which a refusal naming it must contain."""
    if value is None or isinstance(value, Deep):
        return []
    if isinstance(value, bool):
        return ["true", "false", "True", "False"]
    if isinstance(value, int):
        if abs(value) >= 10**30:
            return ["bits", "too large", str(value)[:12]]
        return [str(value), f"{float(value):g}", repr(float(value)), f"{float(value):.6g}".split("e")[0]]
    if isinstance(value, float):
        if math.isnan(value):
            return ["nan", "NaN"]
        if math.isinf(value):
            return ["inf", "Infinity"]
        return [repr(value), f"{value:g}", str(value), f"{value:.6g}"]
    if isinstance(value, str):
        if value == "":
            return ["''", '""', "empty"]
        return [value[:20], repr(value)[:20], repr(value)[1:-1][:20]]
    if isinstance(value, dict):
        return ["{", "table"]
    if isinstance(value, list):
        return ["[", "list"]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return ["1979", "date"]
    return [str(value)]


def names_field(message: str, field: str, alternatives: tuple[str, ...] = ()) -> bool:
    for f in (field, *alternatives):
        if f in message:
            return True
        # parent path and key separately: "terms.sections.response: unknown field 'x'"
        m = re.match(r"^(.*?)(?:\.([^.\[]+)|(\[\d+\]))$", f)
        if m:
            parent, key = m.group(1), m.group(2) or m.group(3)
            if parent in message and key in message:
                return True
    return False


@dataclasses.dataclass
class Outcome:
    case: Case
    result: str                # "refused", "valid" or a failure class
    seconds: float
    detail: str = ""


def _strict_json(text: str) -> None:
    def refuse(name):
        raise ValueError(f"non-finite constant {name}")
    json.loads(text, parse_constant=refuse)


def _json_documents(text: str) -> list[str]:
    """The JSON documents printed on stdout (one per command run)."""
    text = text.strip()
    return [text] if text else []


def run_cli(case: Case, folder: Path) -> tuple[int | None, str, str, str, list]:
    from cyberloss.cli import main

    for name, data in case.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    argv = [a.replace("{dir}", str(folder)) for a in case.argv]
    out, err = io.StringIO(), io.StringIO()
    crash = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except BaseException:      # noqa: BLE001 - the oracle classifies it
                code = None
                crash = traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), crash, list(caught)


def run_api(case: Case, folder: Path) -> tuple[int | None, str, str, str, list]:
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    crash = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            case.api(folder)
            code, message = 0, ""
        except (ValueError, FileNotFoundError) as exc:
            code, message = 2, f"api: error: {exc}"
        except BaseException:          # noqa: BLE001
            code, message = None, ""
            crash = traceback.format_exc()
    return code, "", message + ("\n" if message else ""), crash, list(caught)


def judge(case: Case, folder: Path, names: bool = True) -> Outcome:
    """Run ``case`` and classify its outcome (``names=False``: the corrupted field is not
    known, as for the fuzzer's inputs, so a refusal need only be one well-formed line)."""
    case = dataclasses.replace(case, field=case.field.replace("{dir}", str(folder)),
                               alternatives=tuple(a.replace("{dir}", str(folder)) for a in case.alternatives))
    start = time.perf_counter()
    runner = run_api if case.api is not None else run_cli
    code, out, err, crash, caught = runner(case, folder)
    seconds = time.perf_counter() - start
    def outcome(result: str, detail: str = "") -> Outcome:
        return Outcome(case, result, seconds, detail)
    if crash:
        return outcome("traceback", crash.strip().splitlines()[-1])
    if seconds > TIME_LIMIT:
        return outcome("slow", f"{seconds:.1f} s")
    if caught:
        w = caught[0]
        return outcome("warning", f"{w.category.__name__}: {w.message}")
    if code == 0:
        if case.must_refuse:
            return outcome("accepted", out[:200])
        if case.json_output and case.api is None:
            for doc in _json_documents(out):
                try:
                    _strict_json(doc)
                except ValueError as exc:
                    return outcome("non-finite-output", str(exc)[:200])
        elif re.search(r"(?<![A-Za-z])(nan|inf|NaN|Infinity)(?![A-Za-z])", out):
            return outcome("non-finite-output", out[:200])
        return outcome("valid")
    if code != 2:
        return outcome("crash", f"exit {code}: {err[-300:]}")
    lines = err.strip().splitlines()
    if len(lines) != 1:
        return outcome("multi-line", err[-500:])
    line = lines[0]
    if case.api is None and not re.match(r"^cyberloss( [a-z]+)?: error: ", line):
        return outcome("multi-line", line)
    if out.strip():
        return outcome("partial-output", out[:200])
    if not names:
        return outcome("refused")
    if not names_field(line, case.field, case.alternatives):
        return outcome("unnamed-field", line)
    tokens = value_tokens(case.value)
    if tokens and not any(t in line for t in tokens):
        return outcome("unnamed-value", line)
    return outcome("refused")


# ----- the base inputs ---------------------------------------------------------------------

SPEC = {"attack_type": [
    {"name": "ransomware", "frequency": {"distribution": "poisson", "rate": 0.05},
     "severity": {"distribution": "lognormal", "mean": 60_190_000, "median": 38_000_000}},
    {"name": "emotet", "frequency": {"distribution": "negative_binomial", "mean": 0.5, "dispersion": 2.0},
     "severity": {"distribution": "lognormal", "mu": 14.5, "sigma": 1.2}},
]}

ORGANISATION = {"name": "Hostile test organisation", "industry": "manufacturing", "size": "sme",
                "revenue": 3_000_000_000, "gross_margin": 0.2, "employees": 120,
                "personal_records": 20_000, "ec_share": 0.1, "labour_cost_month": 500_000,
                "it_dependency": 0.6,
                "controls": {"offline_backups": True, "edr": False, "downtime_scale": 1.0}}

OVERRIDES = {"controls": {"restore_drills": {"downtime": {"ransomware": 0.3}}},
             "downtime": {"max_days": {"value": 365}}}

QUOTE = {
    "organisation": ORGANISATION,
    "terms": {"deductible": "10万円", "aggregate_limit": "1億円", "cover_prevention": False,
              "sections": {
                  "response": {"limit": "1億円", "coinsurance": 0.9,
                               "sublimits": {"investigation": "3000万円"}},
                  "liability": {"limit": 100_000_000},
                  "business_interruption": {"limit": 50_000_000, "waiting_period_days": 0.5,
                                            "indemnity_period_days": 90}}},
    "quote": {"years": 1000, "seed": 7, "levels": [0.99, 0.995],
              "principles": ["expected_value", {"name": "standard_deviation", "k": 0.2}],
              "loads": {"expense_ratio": 0.3, "profit_ratio": 0.05, "fixed_expense": 0},
              "decision": {"deductibles": [0, "100万円"], "limits": ["1億円", 300_000_000],
                           "principle": "expected_value", "cost_of_capital": 0.1,
                           "tail_level": 0.99, "max_premium": "1000万円"}},
    "overrides": OVERRIDES,
}

BCP = {
    "organisation": {**ORGANISATION, "size": "large", "revenue": 15_000_000_000, "employees": 600},
    "simulation": {"years": 200, "seed": 3, "basis": "all", "period": "recent"},
    "variants": [{"name": "drills", "controls": {"restore_drills": True}},
                 {"name": "halved", "controls": {"downtime_scale": 0.5}, "it_dependency": 0.5}],
    "overrides": OVERRIDES,
}

SCENARIO = {
    "scenario": {"name": "ransomware, two weeks", "attack_type": "ransomware", "downtime_days": 14,
                 "share_affected": 1.0, "response_costs": 6_500_000, "person_months": 10,
                 "records_exposed": 1000, "gifts_paid": True, "period": "recent"},
    "organisation": {**ORGANISATION, "size": "large", "revenue": 10_000_000_000, "employees": 400},
    "overrides": OVERRIDES,
}

REINSURANCE = {
    "per_risk": {"retention": 50_000_000, "limit": 450_000_000, "reinstatements": 2,
                 "premium": 20_000_000, "reinstatement_rate": 1.0},
    "per_event": {"retention": 300_000_000, "limit": 1_000_000_000, "reinstatements": 1,
                  "premium": 60_000_000},
    "quota_share": {"share": 0.2},
    "stop_loss": {"retention": 1_500_000_000, "limit": 1_000_000_000},
}

TERMS_FILE = {"terms": {"sections": {
    "response": {"limit": "1億円", "coinsurance": 0.9, "sublimits": {"investigation": "3000万円"}},
    "business_interruption": {"limit": 50_000_000, "waiting_period_days": 1,
                              "indemnity_period_days": 90}}}}

BOOK_HEADER = ["policy_id", "industry", "size", "revenue", "deductible", "occurrence_limit",
               "aggregate_limit", "frequency_factor"]
BOOK = [["P1", "manufacturing", "sme", "2500000000", "1000000", "100000000", "100000000", "1.0"],
        ["P2", "wholesale_retail", "large", "60000000000", "10000000", "500000000", "1000000000", "1.0"],
        ["P3", "information_communications", "sme", "400000000", "500000", "30000000", "", "1.2"],
        ["P4", "medical_welfare", "organisation", "5000000000", "1000000", "inf", "100000000", "0.8"]]

QUICK = {"simulate": ["--years", "50", "--seed", "1", "--json"],
         "quote": ["--json"], "bcp": ["--json"], "scenario": ["--json"],
         "portfolio": ["--years", "50", "--json"], "jnsa": ["--replications", "20", "--json"]}


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode("utf-8")


def _calibration_doc() -> dict:
    path = ROOT / "python" / "cyberloss" / "data" / "jnsa2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


# ----- generators per loader ---------------------------------------------------------------

def _doc_cases(loader: str, doc: dict, make: Callable[[bytes], Case], dump: Callable[[Any], str],
               display: Callable[[tuple], tuple[str, tuple[str, ...]]], rng: random.Random,
               leaf_share: float = 1.0, skip: Callable[[tuple], bool] = lambda p: False) -> list[Case]:
    """Field-level mutations of a document: every leaf (or a sample), every table."""
    cases: list[Case] = []

    def add(kind: str, new_doc: Any, path: tuple, value: Any, must: bool, field: str | None = None,
            alternatives: tuple[str, ...] = ()):
        case = make(dump(new_doc).encode("utf-8"))
        shown, alts = display(path) if field is None else (field, alternatives)
        if kind in ("duplicate-key", "deep-nesting") and case.api is None:
            # syntax errors are positional: the file, the line and the key written there
            keys = [p for p in path if isinstance(p, str)]
            shown, alts = (keys[-1] if keys else shown), ()
        case.kind, case.field, case.value, case.must_refuse = kind, shown, value, must
        case.alternatives = alts
        cases.append(case)

    all_leaves = [p for p in leaves(doc) if p and not skip(p)]
    chosen = all_leaves if leaf_share >= 1 else rng.sample(all_leaves, max(1, int(len(all_leaves) * leaf_share)))
    for path in chosen:
        base = get(doc, path)
        for m in mutations_for(base):
            add(m.kind, put(doc, path, m.value), path, m.value, m.must_refuse)
        if not isinstance(path[-1], int):
            add("missing-key", drop(doc, path), path, None, False)
            add("duplicate-key", put(doc, path, Duplicate(base)), path, None, True)
    for path in tables(doc):
        if skip(path + ("zz_unknown",)):
            continue
        node = get(doc, path)
        if isinstance(node, dict):
            add("unknown-key", put(doc, path + ("zz_unknown",), 1) if path else {**doc, "zz_unknown": 1},
                path + ("zz_unknown",), None, True)
            if path and not isinstance(path[-1], int):
                add("table-as-number", put(doc, path, 5), path, 5, True)
                add("deep-nesting", put(doc, path, Deep(3000)), path, None, True)
    return cases


def _file_cases(loader: str, name: str, text: bytes, make: Callable[[bytes], Case],
                rng: random.Random, must_refuse_empty: bool = True) -> list[Case]:
    """Whole-file mutations: empty, garbage, wrong encodings, truncations."""
    cases = []

    def add(kind: str, data: bytes, must: bool):
        case = make(data)
        case.kind, case.field, case.value, case.must_refuse = kind, name, None, must
        cases.append(case)

    add("empty-file", b"", must_refuse_empty)
    add("whitespace-file", b"  \n\n", must_refuse_empty)
    for _ in range(4):
        add("binary-garbage", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))), True)
    decoded = text.decode("utf-8")
    add("utf-16", decoded.encode("utf-16"), True)
    add("shift-jis", (decoded + "\n# 日本語の注記\n").encode("shift_jis", errors="replace"), True)
    add("latin-1", (decoded + "\n# café\n").encode("latin-1", errors="replace"), True)
    add("nul-byte", text[: len(text) // 2] + b"\x00" + text[len(text) // 2:], True)
    for _ in range(6):
        add("truncated", text[: rng.randrange(1, len(text))], False)
    return cases


def simulate_cases(rng: random.Random) -> list[Case]:
    def make(data: bytes) -> Case:
        return Case("simulate-spec", "", "", ["simulate", "{dir}/spec.toml", *QUICK["simulate"]],
                    {"spec.toml": data})

    cases = _doc_cases("simulate-spec", SPEC, make, dump_toml, lambda p: (dotted(p), ()), rng)
    cases += _file_cases("simulate-spec", "spec.toml", dump_toml(SPEC).encode(), make, rng)
    return cases


def _profile_display(path: tuple) -> tuple[str, tuple[str, ...]]:
    text = dotted(path)
    if path and path[0] == "overrides":
        return text, (dotted(path[1:]),)
    return text, ()


def _profile_skip(path: tuple) -> bool:
    # [overrides] holds data paths: an unknown key there is an unknown data path, fine to test;
    # but the factor tables may gain attack types, so an added key there is valid
    return path[:1] == ("overrides",) and len(path) >= 4 and path[-1] == "zz_unknown"


def quote_cases(rng: random.Random) -> list[Case]:
    def make(data: bytes) -> Case:
        return Case("quote-profile", "", "", ["quote", "{dir}/profile.toml", *QUICK["quote"]],
                    {"profile.toml": data})

    cases = _doc_cases("quote-profile", QUOTE, make, dump_toml, _profile_display, rng, skip=_profile_skip)
    cases += _file_cases("quote-profile", "profile.toml", dump_toml(QUOTE).encode(), make, rng)
    return cases


def bcp_cases(rng: random.Random) -> list[Case]:
    def make(data: bytes) -> Case:
        return Case("bcp-profile", "", "", ["bcp", "{dir}/plan.toml", *QUICK["bcp"]], {"plan.toml": data})

    cases = _doc_cases("bcp-profile", BCP, make, dump_toml, _profile_display, rng, skip=_profile_skip)
    cases += _file_cases("bcp-profile", "plan.toml", dump_toml(BCP).encode(), make, rng)
    return cases


def scenario_cases(rng: random.Random) -> list[Case]:
    def make(data: bytes) -> Case:
        return Case("scenario-profile", "", "", ["scenario", "{dir}/scenario.toml", *QUICK["scenario"]],
                    {"scenario.toml": data})

    cases = _doc_cases("scenario-profile", SCENARIO, make, dump_toml, _profile_display, rng,
                       skip=_profile_skip)
    cases += _file_cases("scenario-profile", "scenario.toml", dump_toml(SCENARIO).encode(), make, rng)
    return cases


def reinsurance_cases(rng: random.Random) -> list[Case]:
    def make(data: bytes) -> Case:
        return Case("reinsurance-toml", "", "", ["portfolio", str(ROOT / "examples" / "portfolio_small.csv"),
                                                 "--reinsurance", "{dir}/re.toml", *QUICK["portfolio"]],
                    {"re.toml": data})

    cases = _doc_cases("reinsurance-toml", REINSURANCE, make, dump_toml,
                       lambda p: (dotted(("reinsurance",) + p), ()), rng)
    wrapped = {"reinsurance": REINSURANCE}
    cases += _doc_cases("reinsurance-toml", wrapped, make, dump_toml, lambda p: (dotted(p), ()), rng,
                        leaf_share=0.3)
    cases += _file_cases("reinsurance-toml", "re.toml", dump_toml(REINSURANCE).encode(), make, rng,
                         must_refuse_empty=False)
    return cases


def terms_cases(rng: random.Random) -> list[Case]:
    def make(data: bytes) -> Case:
        return Case("terms-toml", "", "", ["portfolio", str(ROOT / "examples" / "portfolio_small.csv"),
                                           "--loss", "covered", "--terms", "{dir}/terms.toml",
                                           *QUICK["portfolio"]], {"terms.toml": data})

    cases = _doc_cases("terms-toml", TERMS_FILE, make, dump_toml, lambda p: (dotted(p), ()), rng)
    cases += _file_cases("terms-toml", "terms.toml", dump_toml(TERMS_FILE).encode(), make, rng)
    return cases


def calibration_cases(rng: random.Random) -> list[Case]:
    doc = _calibration_doc()

    def make(data: bytes) -> Case:
        return Case("calibration-json", "", "", ["jnsa", "--data", "{dir}/cal.json", *QUICK["jnsa"]],
                    {"cal.json": data})

    def display(path: tuple) -> tuple[str, tuple[str, ...]]:
        text = dotted(path)
        alts = []
        # identifiers are referred to elsewhere: a refusal may name the old or the new one
        if path and path[-1] in ("key", "margin", "attack_margin", "category", "dimension", "unit"):
            alts += [str(get(doc, path)), "zz_no_such", "a\\x00b c"]
        # a value in a table that must add up is refused by naming the table
        if len(path) >= 2 and path[-2] in ("values", "value"):
            alts.append(dotted(path[:-1]))
        # labelled lists are named by their key in messages: attack_types.ransomware.label_ja
        if len(path) >= 2 and isinstance(path[1], int):
            item = doc[path[0]][path[1]]
            if isinstance(item, dict) and "key" in item:
                alts.append(dotted((path[0], item["key"]) + path[2:]))
        # the reader names its own parent path for unknown keys of the assumptions table
        return text, tuple(alts)

    def skip(path: tuple) -> bool:
        # free text fields (sources, notes, labels) and "about" tables accept any text
        return any(p in ("source", "reasoning", "note", "about", "label_ja", "label", "url",
                         "title", "description", "comment", "publisher", "published") for p in path
                   if isinstance(p, str)) or path[:1] in (("sources",), ("about",))

    cases = _doc_cases("calibration-json", doc, make, dump_json, display, rng, leaf_share=0.2, skip=skip)
    for case in cases:
        # consistency refusals (an identifier used elsewhere, a table that must add up) name
        # the place where the data disagrees, not necessarily the new value
        if any(a in ("zz_no_such", "a\\x00b c") or not a.endswith(case.field.rsplit(".", 1)[-1])
               for a in case.alternatives):
            case.value = None
    cases += _file_cases("calibration-json", "cal.json", dump_json(doc).encode(), make, rng)
    return cases


def set_cases(rng: random.Random) -> list[Case]:
    keys = ["reporting_factor.sme", "tail.xi", "web_leak_card_share", "exposure.organisation",
            "attack_type_reconciliation", "industry_share.company", "severity.emotet.answers"]
    values = ["abc", "NaN", "Infinity", "-1", "0", "1e400", "true", "[1, 2]", '{"a": 1}', "null",
              "1" + "0" * 400, "[" * 3000 + "]" * 3000, ""]
    cases = []
    for key in keys:
        for v in values:
            cases.append(Case("jnsa-set", "set-value", key, ["jnsa", "--set", f"{key}={v}", *QUICK["jnsa"]],
                              value=None, must_refuse=v in ("abc", "NaN", "Infinity", "true", "[1, 2]",
                                                            '{"a": 1}', "null", "")))
    for bad in ("=1", "nokey", "zz.unknown=1", "reporting_factor.micro=2", " =3"):
        cases.append(Case("jnsa-set", "set-key", "--set", ["jnsa", "--set", bad, *QUICK["jnsa"]],
                          must_refuse=True, alternatives=(bad.split("=")[0].strip() or "--set",)))
    return cases


def _book_cases(rng: random.Random, kind: str) -> list[Case]:
    import pandas as pd

    loader = f"portfolio-{kind}"
    name = f"book.{kind}"

    def encode(header: list[str], rows: list[list[Any]]) -> bytes:
        if kind == "csv":
            return csv_bytes(header, [[str(x) for x in r] for r in rows])
        frame = pd.DataFrame(rows, columns=header) if rows else pd.DataFrame(columns=header)
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()

    def typed(rows):
        if kind == "csv":
            return rows
        out = []
        for r in rows:
            out.append([r[0], r[1], r[2]] + [float(x) if x not in ("",) else None for x in r[3:]])
        return out

    def make(data: bytes, kind_: str, field: str, value: Any, must: bool, alts=()) -> Case:
        return Case(loader, kind_, field, ["portfolio", f"{{dir}}/{name}", *QUICK["portfolio"]],
                    {name: data}, value=value, must_refuse=must, alternatives=alts)

    base = typed(BOOK)
    cases = []
    # in Parquet a NaN is how pandas writes a missing value: it means "not given"
    cell_values = [("type-string", "abc", True), ("nan", "nan" if kind == "csv" else math.nan, kind == "csv"),
                   ("inf", "inf" if kind == "csv" else math.inf, False),
                   ("negative", "-1" if kind == "csv" else -1.0, False),
                   ("zero", "0" if kind == "csv" else 0.0, False),
                   ("huge", "1e400" if kind == "csv" else 1e300, False),
                   ("type-bool", "true" if kind == "csv" else True, True)]
    for r in range(len(base)):
        for c in range(len(BOOK_HEADER)):
            if c < 3:
                values = [("unknown-name", "zz_no_such", c > 0), ("empty", "", True)]
            else:
                values = cell_values
            for kind_, v, must in values:
                rows = copy.deepcopy(base)
                rows[r][c] = v
                row_named = r + 1
                if kind == "parquet" and c >= 3 and isinstance(v, (str, bool)):
                    # a Parquet column has one type: the whole column becomes text / booleans
                    for i, row in enumerate(rows):
                        if i != r:
                            row[c] = (str(row[c]) if row[c] is not None else None) if isinstance(v, str) else False
                    row_named = 1 if isinstance(v, bool) else row_named
                data = encode(BOOK_HEADER, rows)
                cases.append(make(data, kind_, f"row {row_named}", v if kind_ != "empty" else None, must))
    if kind == "csv":
        for r in range(len(BOOK)):
            short = [list(x) for x in BOOK]
            del short[r][rng.randrange(3, len(BOOK_HEADER))]
            cases.append(make(csv_bytes(BOOK_HEADER, short), "row-missing-field", f"row {r + 1}", None, True))
            long = [list(x) for x in BOOK]
            long[r].append("42")
            cases.append(make(csv_bytes(BOOK_HEADER, long), "row-extra-field", f"row {r + 1}", None, True))
        quoted = csv_bytes(BOOK_HEADER, BOOK) + b'"P9,manufacturing,sme\n'
        cases.append(make(quoted, "unterminated-quote", "row 5", None, True, alts=("book.csv",)))
        cases += _file_cases(loader, name, csv_bytes(BOOK_HEADER, BOOK),
                             lambda d: make(d, "", "", None, False), rng, must_refuse_empty=True)
    else:
        for kind_, data in (("empty-file", b""), ("binary-garbage", bytes(rng.randrange(256) for _ in range(300))),
                            ("truncated", encode(BOOK_HEADER, base)[:200]), ("csv-as-parquet", csv_bytes(BOOK_HEADER, BOOK))):
            cases.append(make(data, kind_, name, None, True))
        frame = pd.DataFrame(base, columns=BOOK_HEADER)
        frame["deductible"] = [[1.0, 2.0]] * len(frame)
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        cases.append(make(buf.getvalue(), "type-list-column", "row 1", None, True, alts=("deductible",)))
    for c, column in enumerate(BOOK_HEADER):
        header = list(BOOK_HEADER)
        header[c] = "zz_unknown"
        cases.append(make(encode(header, base), "unknown-column", "zz_unknown", None, True))
        if c < 3:
            header = [h for h in BOOK_HEADER if h != column]
            rows = [[x for i, x in enumerate(row) if i != c] for row in base]
            cases.append(make(encode(header, rows), "missing-column", column, None, True))
    if kind == "csv":
        header = BOOK_HEADER + ["deductible"]
        rows = [row + ["5"] for row in BOOK]
        cases.append(make(csv_bytes(header, rows), "duplicate-column", "deductible", None, True))
    return cases


def book_cases(rng: random.Random) -> list[Case]:
    return _book_cases(rng, "csv") + _book_cases(rng, "parquet")


FLAG_VALUES = [("type-string", "abc", True), ("empty", "", True), ("negative", "-1", False),
               ("zero", "0", False), ("fraction", "1.5", False), ("nan", "nan", True),
               ("inf", "inf", True), ("huge", "1" + "0" * 400, False), ("int-2^64", str(2**64), False),
               ("exponent", "1e3", False)]


def flag_cases(rng: random.Random) -> list[Case]:
    spec = str(ROOT / "examples" / "simulate_basic.toml")
    book = str(ROOT / "examples" / "portfolio_small.csv")
    profile_q = str(ROOT / "examples" / "sme_manufacturer.toml")
    profile_b = str(ROOT / "examples" / "manufacturer.toml")
    commands = {
        "simulate": (["simulate", spec, "--json"], {"--years": "50", "--seed": "1"},
                     ["--years", "--seed", "--threads"]),
        "portfolio": (["portfolio", book, "--json"], {"--years": "50"},
                      ["--years", "--seed", "--block-years", "--threads", "--quota-share",
                       "--per-risk-xl", "--per-event-xl", "--stop-loss", "--systemic-variance",
                       "--exposure-elasticity", "--local-cluster"]),
        "quote": (["quote", profile_q, "--json"], {"--years": "1000"}, ["--years", "--seed"]),
        "bcp": (["bcp", profile_b, "--json"], {"--years": "100"}, ["--years", "--seed", "--threads"]),
        "jnsa": (["jnsa", "--json"], {"--replications": "20"}, ["--replications", "--seed"]),
        "demo": (["demo", "--out", "{dir}/demo"], {"--years": "1000"}, ["--years", "--seed"]),
    }
    cases = []
    for name, (head, defaults, options) in commands.items():
        for option in options:
            for kind, value, must in FLAG_VALUES:
                if option == "--threads" and kind == "exponent":
                    value, must = "100000", True   # TBB crashed from about 65,536 threads (issue 10)
                if option == "--local-cluster" and kind in ("fraction", "exponent"):
                    continue     # would start a cluster: covered by test_distributed
                if option in ("--per-risk-xl", "--per-event-xl"):
                    value = {"type-string": "1:abc", "empty": "", "negative": "-1:2",
                             "zero": "0:0", "fraction": "1:2:0.5", "nan": "1:2:nan",
                             "inf": "inf:inf", "huge": "1e400:1", "int-2^64": f"1:2:{2**64}",
                             "exponent": "1e6:1e7:1:1e5"}[kind]
                    must = kind in ("type-string", "empty", "nan", "zero", "negative", "fraction")
                if option == "--stop-loss":
                    value = {"type-string": "abc", "empty": "", "negative": "-1",
                             "zero": "0:0", "fraction": "1.5:2.5", "nan": "nan",
                             "inf": "inf", "huge": "1e400", "int-2^64": str(2**64),
                             "exponent": "1e9:1e8"}[kind]
                    must = kind in ("type-string", "empty", "nan", "zero", "negative", "inf")
                argv = list(head)
                for k, v in defaults.items():
                    if k != option:
                        argv += [k, v]
                argv += [f"{option}={value}"]
                cases.append(Case(f"flags-{name}", kind, option, argv, value=None, must_refuse=must,
                                  json_output=name != "demo"))
        cases.append(Case(f"flags-{name}", "unknown-option", "--zz-unknown",
                          head + [f"{k}={v}" for k, v in defaults.items()] + ["--zz-unknown", "1"],
                          must_refuse=True, json_output=name != "demo"))
    return cases


def path_cases(rng: random.Random) -> list[Case]:
    """Input and output paths: missing, folders, not folders, wrong extensions, unwritable."""
    spec = str(ROOT / "examples" / "simulate_basic.toml")
    book = str(ROOT / "examples" / "portfolio_small.csv")
    profile_q = str(ROOT / "examples" / "sme_manufacturer.toml")
    cases = []
    inputs = [
        ("simulate", lambda p: ["simulate", p, "--years", "10", "--seed", "1", "--json"]),
        ("quote", lambda p: ["quote", p, "--json"]),
        ("bcp", lambda p: ["bcp", p, "--json"]),
        ("scenario", lambda p: ["scenario", p, "--json"]),
        ("portfolio", lambda p: ["portfolio", p, "--years", "10", "--json"]),
        ("reinsurance", lambda p: ["portfolio", book, "--years", "10", "--json", "--reinsurance", p]),
        ("terms", lambda p: ["portfolio", book, "--years", "10", "--json", "--loss", "covered", "--terms", p]),
        ("jnsa-data", lambda p: ["jnsa", "--json", "--replications", "20", "--data", p]),
        ("demo-profile", lambda p: ["demo", "--out", "{dir}/demo", "--profile", p]),
    ]
    bad_inputs = [("missing", "{dir}/no_such_file.toml"), ("folder", "{dir}"),
                  ("not-a-folder", spec + "/x.toml"), ("empty-name", ""),
                  ("dev-null", "/dev/null"), ("proc-dir", "/proc/self")]
    for name, build in inputs:
        for kind, path in bad_inputs:
            if name == "portfolio":
                path = path.replace(".toml", ".csv") if kind != "not-a-folder" else book + "/x.csv"
            must = kind != "dev-null"
            cases.append(Case(f"input-path-{name}", kind, path.replace("{dir}", "") or "''", build(path),
                              must_refuse=must, alternatives=(path,) if path else ("empty", "''"),
                              json_output=name != "demo-profile"))
            cases[-1].field = path if path else "''"
    outputs = [
        ("portfolio-out", "--out", lambda p: ["portfolio", book, "--years", "10", "--json", "--out", p],
         "ylt.parquet"),
        ("quote-plot", "--plot", lambda p: ["quote", profile_q, "--years", "1000", "--json", "--plot", p],
         "ep.png"),
        ("quote-html", "--html", lambda p: ["quote", profile_q, "--years", "1000", "--json", "--html", p],
         "report.html"),
        ("demo-out", "--out", lambda p: ["demo", "--years", "1000", "--out", p], None),
    ]
    for name, option, build, default in outputs:
        bad = [("folder", "{dir}"), ("missing-folder", "{dir}/no/such/folder/" + (default or "x")),
               ("not-a-folder", spec + "/" + (default or "x")), ("dev-full", "/dev/full"),
               ("proc", "/proc/cyberloss/" + (default or "x")), ("sys", "/sys/" + (default or "x")),
               ("empty-name", "")]
        if default:
            bad += [("wrong-extension", "{dir}/out.txt"), ("no-extension", "{dir}/out")]
            if name == "portfolio-out":
                bad += [("csv-extension", "{dir}/ylt.csv")]
        for kind, path in bad:
            valid = kind == "csv-extension"
            case = Case(f"output-path-{name}", kind, option, build(path), must_refuse=not valid,
                        alternatives=(path,), json_output=not name.startswith("demo"))
            if name.startswith("demo") and kind in ("folder", "missing-folder"):
                case.must_refuse = False      # demo --out takes a folder and creates it if needed
            cases.append(case)
    return cases


def api_cases(rng: random.Random) -> list[Case]:
    """The same document mutations through the Python API (no simulation)."""
    from cyberloss import engine as spec
    from cyberloss import organisation
    from cyberloss.insurance import pricing, quote, terms
    from cyberloss.portfolio import reinsurance

    cases = []

    def from_docs(loader: str, doc: dict, build: Callable[[dict], Any], display, share: float = 1.0,
                  skip=lambda p: False):
        def make(data: bytes) -> Case:
            return Case(loader, "", "", None, {"doc.json": data},
                        api=lambda folder: build(json.loads((folder / "doc.json").read_text("utf-8"),
                                                            object_pairs_hook=dict,
                                                            parse_constant=lambda c: float(c.replace("Infinity", "inf")))))
        return _doc_cases(loader, doc, make, lambda d: dump_json(_plain_json(d)), display, rng,
                          leaf_share=share, skip=lambda p: skip(p) or False)

    def json_safe(p: tuple, doc: dict) -> bool:
        return False

    cases += from_docs("api-spec", SPEC, spec.model_from_dict, lambda p: (dotted(p), ()))
    cases += from_docs("api-reinsurance", REINSURANCE, reinsurance.Programme.from_dict,
                       lambda p: (dotted(("reinsurance",) + p), ()))
    cases += from_docs("api-terms", QUOTE["terms"], terms.CoverageTerms.from_dict,
                       lambda p: (dotted(("terms",) + p), ()))
    cases += from_docs("api-quote-settings", QUOTE["quote"], quote.QuoteSettings.from_dict,
                       lambda p: (dotted(("quote",) + p), ()))
    cases += from_docs("api-organisation", ORGANISATION, organisation.OrganisationProfile.from_mapping,
                       lambda p: (dotted(("organisation",) + p), ()))
    cases += from_docs("api-loads", QUOTE["quote"]["loads"], pricing.Loads.from_dict,
                       lambda p: (dotted(("loads",) + p), ()))
    for c in cases:
        c.value = c.value if not isinstance(c.value, (datetime.date, Deep)) else None
    # JSON cannot hold dates or deep markers faithfully: drop those kinds from the API set
    cases = [c for c in cases if c.kind not in ("type-date", "deep-nesting", "duplicate-key")]
    return cases


CLAIMS_HEADER = ["claim_id", "date", "attack_type", "industry", "size", "ground_up", "deductible",
                 "limit", "status"]
CLAIMS = [["C1", "2024-02-01", "ransomware", "manufacturing", "sme", "30000000", "1000000", "100000000", "closed"],
          ["C2", "2024-03-05", "ランサムウェア感染", "manufacturing", "sme", "500万円", "100万円", "1億円", "closed"],
          ["C3", "2024-05-10", "web_leak_personal", "manufacturing", "sme", "8000000", "1000000", "inf", "open"],
          ["C4", "2024-07-21", "ransomware", "wholesale_retail", "sme", "150000000", "1000000", "100000000", ""]]
EXPOSURE_HEADER = ["industry", "size", "period", "policy_years", "revenue"]
EXPOSURE = [["manufacturing", "sme", "2024", "1000", "50000000000"],
            ["wholesale_retail", "中小企業", "2024", "800", ""]]
_TEXT_COLUMNS = {"claim_id", "date", "attack_type", "industry", "size", "status", "period"}
_OPTIONAL = {"deductible", "limit", "status", "revenue"}


def fit_cases(rng: random.Random) -> list[Case]:
    """``cyberloss fit``: every cell of the claims and exposure files corrupted (a seeded
    sample of the numeric mutations), header and whole-file mutations."""
    def make(claims: bytes, exposure: bytes, loader: str, kind: str, field: str, value: Any,
             must: bool, alts: tuple[str, ...] = ()) -> Case:
        return Case(loader, kind, field, ["fit", "{dir}/claims.csv", "--exposure", "{dir}/exposure.csv",
                                          "--json"], {"claims.csv": claims, "exposure.csv": exposure},
                    value=value, must_refuse=must, alternatives=alts)

    good_claims, good_expo = csv_bytes(CLAIMS_HEADER, CLAIMS), csv_bytes(EXPOSURE_HEADER, EXPOSURE)
    numeric = [("type-string", "abc", True), ("nan", "nan", True), ("inf", "inf", False),
               ("negative", "-1", False), ("zero", "0", False), ("huge", "1e400", True),
               ("type-bool", "true", True), ("yen-text", "12万円", False)]
    cases = []
    for loader, header, rows, other in (("fit-claims", CLAIMS_HEADER, CLAIMS, "claims"),
                                        ("fit-exposure", EXPOSURE_HEADER, EXPOSURE, "exposure")):
        def encode(data: bytes, other: str = other) -> tuple[bytes, bytes]:
            return (data, good_expo) if other == "claims" else (good_claims, data)

        # two rows of each file (the sweep's time matters: each case runs a fit)
        for r in sorted(rng.sample(range(len(rows)), 2)):
            for c, column in enumerate(header):
                if column in _TEXT_COLUMNS:
                    values = [("unknown-name", "zz_no_such", column not in ("claim_id", "period")),
                              ("empty", "", column not in _OPTIONAL)]
                else:
                    values = [("empty", "", column not in _OPTIONAL)] + rng.sample(numeric, 3)
                for kind, v, must in values:
                    changed = copy.deepcopy(rows)
                    changed[r][c] = v
                    cases.append(make(*encode(csv_bytes(header, changed)), loader, kind, f"row {r + 1}",
                                      v or None, must))
        for c, column in enumerate(header):
            renamed = list(header)
            renamed[c] = "zz_unknown"
            cases.append(make(*encode(csv_bytes(renamed, rows)), loader, "unknown-column", "zz_unknown", None, True))
            if column not in _OPTIONAL:
                cut = [[x for i, x in enumerate(row) if i != c] for row in rows]
                cases.append(make(*encode(csv_bytes([h for h in header if h != column], cut)), loader,
                                  "missing-column", column, None, True, ("ground_up", "paid")))
        short = [list(x) for x in rows]
        del short[0][-1]
        cases.append(make(*encode(csv_bytes(header, short)), loader, "row-missing-field", "row 1", None, True))
        cases += _file_cases(loader, f"{other}.csv", csv_bytes(header, rows),
                             lambda d, enc=encode, ld=loader: make(*enc(d), ld, "", "", None, False), rng)
    both = csv_bytes(CLAIMS_HEADER + ["paid"], [row + ["1000000"] for row in CLAIMS])
    cases.append(make(both, good_expo, "fit-claims", "ground-up-and-paid", "paid", None, True))
    twice = csv_bytes(CLAIMS_HEADER + ["claim_id"], [row + ["X"] for row in CLAIMS])
    cases.append(make(twice, good_expo, "fit-claims", "duplicate-column", "claim_id", None, True))
    return cases


GENERATORS = {
    "simulate-spec": simulate_cases,
    "quote-profile": quote_cases,
    "bcp-profile": bcp_cases,
    "scenario-profile": scenario_cases,
    "reinsurance-toml": reinsurance_cases,
    "terms-toml": terms_cases,
    "calibration-json": calibration_cases,
    "jnsa-set": set_cases,
    "portfolio-table": book_cases,
    "fit-claims": fit_cases,
    "flags": flag_cases,
    "paths": path_cases,
    "api": api_cases,
}


def generate(seed: int = 20261130, only: str | None = None) -> list[Case]:
    cases = []
    for name, gen in GENERATORS.items():
        if only is None or name == only:
            cases += gen(random.Random(f"{seed}-{name}"))
    return cases


def record(o: Outcome) -> dict:
    """An outcome as the counts take it (plain JSON: the sweep's shards write theirs to a file)."""
    return {"loader": o.case.loader, "kind": o.case.kind, "label": o.case.label, "result": o.result,
            "seconds": o.seconds}


def counts(records: list[dict]) -> dict:
    """Counts by loader x mutation kind x outcome, and totals, of outcomes' :func:`record`."""
    table: dict = {}
    for r in records:
        table.setdefault(r["loader"], {}).setdefault(r["kind"], {}).setdefault(r["result"], 0)
        table[r["loader"]][r["kind"]][r["result"]] += 1
    totals: dict = {}
    for r in records:
        totals[r["result"]] = totals.get(r["result"], 0) + 1
    by_loader = {loader: {result: sum(k.get(result, 0) for k in kinds.values()) for result in
                          sorted({result for k in kinds.values() for result in k})}
                 for loader, kinds in table.items()}
    for loader in by_loader:
        by_loader[loader]["seconds"] = round(sum(r["seconds"] for r in records if r["loader"] == loader), 1)
    return {"cases": len(records), "totals": totals, "by_loader": by_loader, "by_loader_and_kind": table,
            "seconds": round(sum(r["seconds"] for r in records), 1),
            "slowest": sorted(((round(r["seconds"], 2), r["label"]) for r in records), reverse=True)[:5]}


if __name__ == "__main__":
    import tempfile

    only = sys.argv[1] if len(sys.argv) > 1 else None
    outcomes = []
    for case in generate(only=only):
        with tempfile.TemporaryDirectory() as d:
            outcomes.append(judge(case, Path(d)))
    for o in outcomes:
        if o.result in FAILURES:
            print(f"{o.result:18} {o.case.label} :: {o.detail[:300]}")
    summary = counts([record(o) for o in outcomes])
    print(json.dumps(summary["totals"]), summary["seconds"], "s")
