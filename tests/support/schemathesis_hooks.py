"""Schemathesis hooks for the contract runs (SCHEMATHESIS_HOOKS).

A key's permissions name tags that only the running server knows (its own
document's, and UPSTREAM_OPENAPI's), and OpenAPI 3.0 has no ``propertyNames``
to say so in the document. This hook writes the server's vocabulary into
the schema Schemathesis loads, one property a tag and no other, so that it
generates valid permissions as valid and unknown tags as invalid, as the
server answers them.
"""

import json
import os

import schemathesis

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
