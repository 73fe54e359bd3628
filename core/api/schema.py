"""The OpenAPI schema a generated client can trust (issue 20).

- Every operation documents the errors it can answer, all with the one error shape of core/api/errors.py:
  400 (a body or query to validate), 401 and 403 (every operation needs an account and a permission), 404 (an
  object in the path, or a page number), 409 (an Idempotency-Key reused with another body), 413 (a body over
  DATA_UPLOAD_MAX_MEMORY_SIZE or a bulk over its item count), 415 (a body that is not JSON). No throttling is
  configured on the API, so no 429.
- Decimal strings have the pattern of what the field takes and gives: digits required (no "", no "-"), a sign
  only where the field can be negative, at most its whole digits and decimal places.
- Request bodies are JSON only (settings: the API's parsers), so no form or multipart content is documented.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API: `detail` says what went wrong; a 400 lists each field and rule.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "code", "message"],
            "properties": {"field": {"type": "string", "description": "the field's path, e.g. items[3].amount; "
                                                                      "__all__ for the whole request"},
                           "code": {"type": "string", "description": "the rule, e.g. max_value, required"},
                           "message": {"type": "string"}}}},
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "Invalid input: `errors` names each field and the rule it breaks; nothing was written.",
    "401": "No valid token or session.",
    "403": "The account may not do this.",
    "404": "Nothing at this address, or not in the caller's scope.",
    "409": "This Idempotency-Key was used with another body (or its first request is still running).",
    "413": "The body is too large, or a bulk request carries too many items.",
    "415": "The body is not JSON (the API takes application/json only).",
}


def _wanted(path: str, method: str, operation: dict) -> list[str]:
    params = operation.get("parameters", [])
    has_body = "requestBody" in operation
    codes = ["401", "403"]
    if has_body or any(p.get("in") == "query" for p in params) or "{" in path:
        codes.append("400")
    if "{" in path or has_body or any(p.get("name") == "page" for p in params):  # a body names lines, customers
        codes.append("404")
    if any(p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key" for p in params):
        codes.append("409")
    if has_body:
        codes += ["413", "415"]
    return codes


def document_errors(result, generator, request, public):
    """Postprocessing hook: the error component, each operation's error responses, JSON-only request bodies."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _wanted(path, method, operation):
                response = operation["responses"].setdefault(code, {"description": ERRORS[code]})
                response.setdefault("description", ERRORS[code])
                response["content"] = {"application/json": {"schema": ref}}
            body = operation.get("requestBody", {}).get("content")
            if body and "application/json" in body:
                operation["requestBody"]["content"] = {"application/json": body["application/json"]}
    return result


def decimal_pattern(field: serializers.DecimalField) -> str | None:
    """The text of a DecimalField: digits before the point required, a sign only if it may be negative."""
    if field.max_whole_digits is None:
        return None
    signed = field.min_value is None or field.min_value < 0
    whole = f"[0-9]{{1,{max(field.max_whole_digits, 1)}}}"
    places = f"(\\.[0-9]{{1,{field.decimal_places}}})?" if field.decimal_places else ""
    return f"^{'-?' if signed else ''}{whole}{places}$"


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    target_class = serializers.DecimalField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if getattr(field, "coerce_to_string", None) is False:
            return {"type": "number"}
        schema = {"type": "string", "format": "decimal"}
        if pattern := decimal_pattern(field):
            schema["pattern"] = pattern
        return schema
