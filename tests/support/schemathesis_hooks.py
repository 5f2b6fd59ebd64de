"""Schemathesis hooks for the contract runs (SCHEMATHESIS_HOOKS).

A key's permissions name tags that only the running server knows (its own
document's, and UPSTREAM_OPENAPI's), and OpenAPI 3.0 has no ``propertyNames``
to say so in the document. This hook writes the server's vocabulary into
the schema Schemathesis loads, one property a tag and no other, so that it
generates valid permissions as valid and unknown tags as invalid, as the
server answers them.
"""

import itertools
import json
import os

import schemathesis
from hypothesis import strategies as st

VOCABULARY = "BCKEYS_PERMISSION_TAGS"


@schemathesis.hook
def before_load_schema(ctx, raw_schema: dict) -> None:
    tags = json.loads(os.environ[VOCABULARY])
    permissions = raw_schema["components"]["schemas"]["GenerateApiKeyDto"]["properties"][
        "permissions"
    ]
    level = permissions.pop("additionalProperties")
    permissions["properties"] = {tag: level for tag in tags}
    permissions["additionalProperties"] = False


# The Idempotency-Key header's value is an RFC 8941 sf-string: a quoted
# string, with '"' and '\' escaped. Schemathesis generates header values from
# letters and digits only, which no quoted string is, so the format named in
# the document gets its strategy here. Each value is unique, as a client's key
# for a new request must be: the same key with another body is 422.
_idempotency_keys = itertools.count()
_UNESCAPED = "".join(chr(code) for code in range(0x20, 0x7F))


def _sf_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


schemathesis.openapi.format(
    "sf-string",
    st.builds(
        lambda number, text: _sf_string(f"{number}-{text}"),
        st.builds(lambda: next(_idempotency_keys)),
        st.text(alphabet=_UNESCAPED, max_size=200),
    ),
)
