"""Proof harness, CI part: schemathesis fuzzes every operation of /api/v1/openapi.json, with a token of each role.

Cases are generated from the OpenAPI document itself (valid and invalid data),
sent to the WSGI app, and every answer is checked by schemathesis' own checks:
no server error, only documented status codes, content types and bodies, an
`Allow` header on 405, invalid data refused... A bounded number of cases runs
in CI (PROOF_FUZZ_CASES, default 400); bench/proof.py runs 2,000 and more.

The document cannot say which ids exist, so part of the cases use real item
codes, handover ids and reference ids; schema-valid data naming an id that does
not exist is refused with 422, hence no "positive data acceptance" check.
"""

from __future__ import annotations

import json
import math
import os
import zlib
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from intake.extensions import db
from intake.services.accounts import issue_token

from .factories import ROLES, make_handover, make_item, user

CASES = int(os.environ.get("PROOF_FUZZ_CASES", "400"))
SEED = int(os.environ.get("PROOF_SEED", "13"))
ANONYMOUS = "anonymous"


@pytest.fixture
def known(app, world):
    """Ids that exist, and a token of each role."""
    with app.app_context():
        codes = [make_item(world, brand="Fairphone").code for _ in range(3)]
        handover = make_handover(world)
        codes.append(handover.item.code)
        tokens = {role: issue_token(db.session, user(world, role)) for role in ROLES}
        return {"codes": codes, "handover_ids": [handover.id], "tokens": tokens,
                "body_ids": {"category_id": [world.phone_id, world.bike_id],
                             "collection_point_id": [world.point_id, world.other_point_id],
                             "container_id": [world.crate_id], "source_id": [world.partner_id]}}


def with_known_ids(operation, mode, known):
    """The operation's cases, a part of them naming things that exist."""
    cases = operation.as_strategy(mode)
    path_names = {parameter.name for parameter in operation.path_parameters}
    fixed = {"code": known["codes"], "handover_id": known["handover_ids"]}
    for name in path_names & set(fixed):
        cases = st.one_of(cases, st.sampled_from(fixed[name]).flatmap(
            lambda value, name=name: operation.as_strategy(mode, path_parameters={name: value})))
    if mode is GenerationMode.POSITIVE and operation.method.upper() == "POST":
        def name_real_ids(drawn):
            case, picks = drawn
            if isinstance(case.body, dict):
                for name, value in picks.items():
                    if name in case.body:
                        case.body[name] = value
            return case

        picks = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known["body_ids"].items()})
        cases = st.one_of(cases, st.tuples(cases, picks).map(name_real_ids))
    return cases


class Fuzzing:
    """Cases sent, answers by status, and failures (with one curl command each to reproduce them)."""

    def __init__(self, known, rng_seed: int):
        self.known, self.rng_seed = known, rng_seed
        self.statuses, self.failures, self.examples = Counter(), Counter(), {}

    def run(self, operation, role: str, mode, examples: int) -> None:
        headers = {"Accept-Encoding": "identity"}  # the WSGI transport does not decompress
        if role != ANONYMOUS:
            headers["Authorization"] = f"Bearer {self.known['tokens'][role]}"
        where = f"{operation.method.upper()} {operation.path} as {role} ({mode.value})"

        @seed(zlib.crc32(f"{self.rng_seed} {where}".encode()))  # reproducible, yet other data for each role
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        @given(case=with_known_ids(operation, mode, self.known))
        def send(case):
            try:
                response = case.call(headers=headers)
            except Exception as error:  # the app raised: a 500 in production
                self.failures[f"{where}: {type(error).__name__}: {error}"[:300]] += 1
                return
            self.statuses[(operation.method.upper(), operation.path, response.status_code, role)] += 1
            try:
                case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance])
            except FailureGroup as found:
                for failure in found.exceptions:
                    key = f"{where}: {failure.title} [{response.status_code}]"
                    self.failures[key] += 1
                    self.examples.setdefault(key, case.as_curl_command(headers=headers))

        try:
            send()
        except Unsatisfiable:
            pass  # nothing to negate in this operation (no parameter, no body)
        except Exception as error:  # cases could not even be generated from the document
            self.failures[f"{where}: {type(error).__name__}: {str(error).splitlines()[0]}"] += 1


def fuzz(app, known, cases: int, rng_seed: int) -> dict:
    """Run about ``cases`` cases over every operation × role × mode; returns the figures and the failures."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    fuzzing, operations = Fuzzing(known, rng_seed), []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as error:  # an operation the document describes wrongly cannot be fuzzed: a failure
            fuzzing.failures[f"operation cannot be fuzzed: {str(error).splitlines()[0]}"] += 1
    roles = [*ROLES, ANONYMOUS]
    # A first look: a few cases of every operation for every role, valid and invalid. Then the budget
    # goes to the roles the operation serves (an answer other than 401/403) and that take any input,
    # in rounds with other seeds until it is spent (at most four, so that the run stays bounded).
    for operation in operations:
        for role in roles:
            for mode in GenerationMode:
                fuzzing.run(operation, role, mode, 2)
    served = [(operation, role) for operation in operations for role in roles
              if (operation.path_parameters or operation.query or operation.headers or operation.body)
              and any(status not in (401, 403) for (method, path, status, who) in fuzzing.statuses
                      if (method, path, who) == (operation.method.upper(), operation.path, role))]
    for round_number in range(1, 5):
        missing = cases - sum(fuzzing.statuses.values())
        if missing <= 0 or not served:
            break
        fuzzing.rng_seed = rng_seed + round_number
        examples = math.ceil(missing / (len(served) * len(GenerationMode)))
        for operation, role in served:
            for mode in GenerationMode:
                fuzzing.run(operation, role, mode, examples)
    return {"operations": len(operations), "cases": sum(fuzzing.statuses.values()), "statuses": fuzzing.statuses,
            "failures": fuzzing.failures, "examples": fuzzing.examples}


def test_fuzzing_from_the_openapi_document_finds_nothing(app, known):
    figures = fuzz(app, known, CASES, SEED)
    report = os.environ.get("PROOF_REPORT")
    if report:
        with open(report, "w") as out:
            json.dump({"operations": figures["operations"], "cases": figures["cases"],
                       "failures": sum(figures["failures"].values()), "distinct_failures": len(figures["failures"]),
                       "statuses": {f"{m} {p} {s} {r}": n for (m, p, s, r), n in sorted(figures["statuses"].items())}},
                      out, indent=1)
    assert figures["cases"] >= min(CASES, 50), f"only {figures['cases']} cases ran: {list(figures['failures'])[:5]}"
    assert figures["operations"] >= 10
    listed = "\n".join(f"{count:4} × {key}\n       {figures['examples'].get(key, '')}"
                       for key, count in figures["failures"].most_common(40))
    assert not figures["failures"], f"{sum(figures['failures'].values())} failures in {figures['cases']} cases:\n{listed}"
