"""Reading the upstream's OpenAPI document named by UPSTREAM_OPENAPI: a file,
or an http(s) URL read once when a process starts, so that the permissions
match the running upstream's version."""

import json
import urllib.error
import urllib.request
from pathlib import Path

from app.domain.upstream_operations import InvalidDocument, OperationIndex
from app.settings import ConfigurationError

FETCH_TIMEOUT_SECONDS = 10
# Bigcapital's is under 1 MiB; a document past this is not one to hold.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


def load_operation_index(source: str) -> OperationIndex:
    """The index of the document at ``source``.

    Raises ConfigurationError, in one line, for a document that is missing,
    unreadable, not JSON or not an OpenAPI 3 document.
    """
    try:
        return OperationIndex(json.loads(_read(source)))
    except (OSError, urllib.error.URLError, ValueError) as error:
        raise ConfigurationError(f"UPSTREAM_OPENAPI {source}: cannot read it ({error})") from None
    except InvalidDocument as error:
        raise ConfigurationError(f"UPSTREAM_OPENAPI {source}: {error}") from None


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only)
            document = response.read(MAX_DOCUMENT_BYTES + 1)
    else:
        with Path(source).open("rb") as file:
            document = file.read(MAX_DOCUMENT_BYTES + 1)
    if len(document) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"over {MAX_DOCUMENT_BYTES} bytes")
    return document
