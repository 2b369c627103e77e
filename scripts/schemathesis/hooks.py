"""Schemathesis hooks for the Casegraph GraphQL fuzz (loaded by scripts/schemathesis.sh).

The contract checked here: every answer of `/graphql` is JSON, never an HTTP 5xx, and every
entry of `errors` carries a typed `extensions.code` other than `INTERNAL`. Refusals the client
caused (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, QUERY_TOO_COMPLEX, THROTTLED, ...) are all fine:
the fuzz sends out-of-range, wrong-typed and missing arguments on purpose. (TIMEOUT is answered
with HTTP 504, so a query that runs out of time fails as a 5xx.)

Generation is Schemathesis's own (hypothesis-graphql: positive queries, and negative ones with
missing, null, wrong-typed, out-of-range and unknown-enum arguments). Two things it never sends
are added here, as Hypothesis draws applied to each generated query, so they shrink like the rest:
  * variables: the query's argument literals moved into `$vN` variables of the argument's type
    and sent in `variables` (the engine coerces variables on another path than literals);
  * malformed custom scalars: a `DateTime` literal replaced by arbitrary text (negative mode
    only corrupts the built-in scalars).
Each shrinks towards "unchanged", so a failure is reported in its simplest form.

Environment:
  CASEGRAPH_FUZZ_KEY   an API key (`read,read:drafts`); when set, every generated request is
                       sent either anonymously or with `Authorization: Bearer <key>`, as
                       Hypothesis draws it, so both the public and the drafts paths are hit.
"""

from __future__ import annotations

import json
import os
import re

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.core.failures import Failure, Severity

# Codes that mean "the server failed", whatever the request was.
SERVER_FAILURE_CODES = frozenset({"INTERNAL"})


class CasegraphContractViolation(Failure):
    """A response broke the Casegraph error contract (5xx, non-JSON, untyped or INTERNAL error)."""

    code = "ST901"
    kind_title = "Casegraph error contract"

    __slots__ = ("key",)

    def __init__(self, *, operation: str, title: str, message: str, key: str) -> None:
        super().__init__(operation=operation, title=title, message=message, severity=Severity.CRITICAL)
        self.key = key

    @property
    def _unique_key(self) -> str:
        # Schemathesis keeps one failure per (operation, class, key): key on what went wrong
        # (the code and the message with its numbers and quoted values blanked) so distinct
        # defects of one operation are reported apart, and the same defect with other values
        # is reported once.
        return self.key


def _shape(message: str) -> str:
    message = re.sub(r'"[^"]*"', '"…"', message)
    return re.sub(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", "N", message)


def _path(error: dict) -> str:
    path = error.get("path")
    if not isinstance(path, list):
        return ""
    return ".".join("[]" if isinstance(segment, int) else str(segment) for segment in path)


@schemathesis.check
def casegraph_error_contract(ctx, response, case):
    """Fail on HTTP 5xx, a non-JSON body, or an error whose `extensions.code` is missing or INTERNAL."""
    operation = case.operation.label
    status = response.status_code
    try:
        payload = json.loads(response.content)
    except ValueError:
        payload = None
    errors = payload.get("errors") if isinstance(payload, dict) else None

    # Literals and variables are coerced on different paths: a failure of each is its own finding.
    via = " (arguments sent as variables)" if isinstance(case.body, bytes) else ""
    problems = []  # (key, description)
    if status >= 500:
        problems.append((f"http-{status}", f"HTTP {status}"))
    if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
        body = response.content[:300].decode("utf-8", "replace")
        problems.append(("not-graphql", f"HTTP {status} with a body that is not a GraphQL response: {body!r}"))
    elif errors is not None and not isinstance(errors, list):
        problems.append(("errors-not-list", f"`errors` is not a list: {errors!r}"))
    else:
        for error in errors or []:
            if not isinstance(error, dict):
                problems.append(("error-not-object", f"an `errors` entry is not an object: {error!r}"))
                continue
            extensions = error.get("extensions")
            code = extensions.get("code") if isinstance(extensions, dict) else None
            message = str(error.get("message", ""))
            where = _path(error)
            if not isinstance(code, str) or not code:
                problems.append(
                    (
                        f"untyped|{where}|{_shape(message)}{via}",
                        f"error without extensions.code at `{where or '(request)'}`{via}: {message}",
                    )
                )
            elif code in SERVER_FAILURE_CODES:
                problems.append(
                    (
                        f"{code}|{where}|{_shape(message)}{via}",
                        f"extensions.code {code} at `{where or '(request)'}`{via}: {message}",
                    )
                )

    if problems:
        problems.sort()
        key = "||".join(sorted({key for key, _ in problems}))
        title = problems[0][1][:160]
        message = "\n".join(description for _, description in problems)
        raise CasegraphContractViolation(operation=operation, title=title, message=message, key=key)


_KEY = os.environ.get("CASEGRAPH_FUZZ_KEY", "").strip()

if _KEY:

    @schemathesis.hook
    def flatmap_headers(context, headers):
        # Anonymous first, so Hypothesis shrinks a failure to the anonymous request when the
        # key is not what triggers it.
        base = dict(headers or {})
        return st.sampled_from([base or None, {**base, "Authorization": f"Bearer {_KEY}"}])


# Custom scalars whose literals are replaced by arbitrary text in some cases.
CORRUPTIBLE_SCALARS = frozenset({"DateTime"})


def _corrupt_scalars(document: graphql.DocumentNode, schema: graphql.GraphQLSchema, text: str) -> graphql.DocumentNode:
    """Every string literal of a custom scalar type (argument or input field) becomes `text`."""
    type_info = graphql.TypeInfo(schema)

    class Corrupt(graphql.Visitor):
        def enter_string_value(self, node, *_):
            named = graphql.get_named_type(type_info.get_input_type())
            if isinstance(named, graphql.GraphQLScalarType) and named.name in CORRUPTIBLE_SCALARS:
                return graphql.StringValueNode(value=text)
            return None

    return graphql.visit(document, graphql.TypeInfoVisitor(type_info, Corrupt()))


def _hoist_variables(document: graphql.DocumentNode, schema: graphql.GraphQLSchema):
    """Move every argument literal into a variable of the argument's declared type.

    Returns the new document and the variables, or None when there is nothing to move.
    """
    type_info = graphql.TypeInfo(schema)
    variables: dict = {}
    definitions: list = []

    class Hoist(graphql.Visitor):
        def enter_argument(self, node, *_):
            argument = type_info.get_argument()
            if argument is None or isinstance(node.value, graphql.VariableNode):
                return None
            name = f"v{len(variables)}"
            variables[name] = graphql.value_from_ast_untyped(node.value)
            variable = graphql.VariableNode(name=graphql.NameNode(value=name))
            definitions.append(
                graphql.VariableDefinitionNode(variable=variable, type=graphql.parse_type(str(argument.type)))
            )
            return graphql.ArgumentNode(name=node.name, value=variable)

    document = graphql.visit(document, graphql.TypeInfoVisitor(type_info, Hoist()))
    if not variables:
        return None
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1:
        return None
    operation = operations[0]
    rewritten = graphql.OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    document = graphql.DocumentNode(
        definitions=tuple(rewritten if d is operation else d for d in document.definitions)
    )
    return document, variables


def _rewrite(case, schema: graphql.GraphQLSchema, as_variables: bool, corrupt: bool, text: str):
    if not (as_variables or corrupt):
        return case
    try:
        document = graphql.parse(case.body)
    except graphql.GraphQLError:
        return case
    if corrupt:
        document = _corrupt_scalars(document, schema, text)
    body = graphql.print_ast(document)
    if as_variables:
        hoisted = _hoist_variables(document, schema)
        if hoisted is not None:
            document, variables = hoisted
            try:
                # A GraphQL-over-HTTP request body: Schemathesis sends bytes as they are.
                case.body = json.dumps(
                    {"query": graphql.print_ast(document), "variables": variables}, allow_nan=False
                ).encode()
                return case
            except ValueError:
                pass  # a literal JSON cannot spell (NaN, infinity): send the literals
    case.body = body
    return case


@schemathesis.hook
def flatmap_case(context, case):
    if not isinstance(case.body, str) or context.operation is None:
        return st.just(case)
    schema = context.operation.schema.client_schema
    return st.builds(
        lambda as_variables, corrupt, text: _rewrite(case, schema, as_variables, corrupt, text),
        st.booleans(),
        st.booleans(),
        st.text(max_size=40),
    )
