"""What the OpenAPI document says beyond each view's own decorators: the errors every operation can
answer, and number bounds written as numbers (so that validators and fuzzers read the document)."""

from __future__ import annotations

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields, validate

ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
# Answers any operation may give, whatever it does.
EVERY_OPERATION = {
    "401": "Not signed in, or the token is not valid (unknown, revoked or expired).",
    "403": "This account, or this token, may not do this.",
}
NAMED_IN_PATH = {"404": "Nothing with this code or number, or not this account's to see."}
WRITES = {"400": "Signed in with the session cookie but without the X-CSRFToken header, or a body that is not JSON.",
          "422": "The body is not valid: the errors name the fields."}
WRITE_METHODS = ("post", "put", "patch", "delete")


class ErrorResponses(BasePlugin):
    """Documents 401 and 403 on every operation, 404 where the path names something, 400 and 422 on writes;
    and number bounds as numbers."""

    def init_spec(self, spec) -> None:
        for plugin in spec.plugins:
            if isinstance(plugin, MarshmallowPlugin):
                plugin.converter.add_attribute_function(bounds_as_numbers)

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            errors = dict(EVERY_OPERATION)
            if "{" in (path or ""):
                errors.update(NAMED_IN_PATH)
            if method in WRITE_METHODS:
                errors.update(WRITES)
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, **ERROR})


def bounds_as_numbers(self, field, ret, **kwargs) -> dict:
    """Numbers' bounds as JSON numbers (a Decimal field would write "0.000"), and exclusive bounds as
    OpenAPI 3.1 says them (``exclusiveMinimum: 0``), where apispec writes them inclusive."""
    if not isinstance(field, fields.Number):
        return {}
    for validator in field.validators:
        if not isinstance(validator, validate.Range):
            continue
        for bound, inclusive, key, exclusive_key in ((validator.min, validator.min_inclusive, "minimum",
                                                      "exclusiveMinimum"),
                                                     (validator.max, validator.max_inclusive, "maximum",
                                                      "exclusiveMaximum")):
            if bound is None:
                continue
            ret.pop(key, None)
            ret[key if inclusive else exclusive_key] = _number(bound)
    return {}


def _number(value) -> int | float:
    return int(value) if value == int(value) else float(value)
