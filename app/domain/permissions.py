"""What a scoped key may do: permissions by tag of the upstream's document.

A key's permissions map tags (or ``*``, every tag) to ``read`` (the tag's
GET and HEAD operations) or ``write`` (all of them). A key without
permissions may do what its user may. Pure functions: no I/O.
"""

import json
from collections.abc import Mapping

from app.domain.upstream_operations import Operation

READ = "read"
WRITE = "write"
LEVELS = (READ, WRITE)
EVERY_TAG = "*"

Permissions = Mapping[str, str]


def stored(permissions: Permissions | None) -> str | None:
    """The permissions as the database keeps them: JSON text, or NULL."""
    return None if permissions is None else json.dumps(dict(permissions), ensure_ascii=False)


def loaded(text: str | None) -> dict[str, str] | None:
    return None if text is None else json.loads(text)


def unknown_tags(permissions: Permissions, vocabulary: frozenset[str]) -> list[str]:
    """The tags named that are neither in the vocabulary nor ``*``, in order."""
    return [tag for tag in permissions if tag != EVERY_TAG and tag not in vocabulary]


def _level(permissions: Permissions, tag: str) -> int:
    """0 none, 1 read, 2 write: what the permissions grant on one tag."""
    return max(
        (LEVELS.index(permissions[name]) + 1 for name in (tag, EVERY_TAG) if name in permissions),
        default=0,
    )


def refusal(permissions: Permissions | None, operation: Operation) -> str | None:
    """None when the permissions cover the operation; otherwise one sentence
    naming what is missing."""
    if permissions is None:
        return None
    needed = 1 if operation.reads else 2
    # An operation without a tag is covered by ``*`` alone.
    granted = max(_level(permissions, tag) for tag in operation.tags or (EVERY_TAG,))
    if granted >= needed:
        return None
    what = ", ".join(operation.tags) or "operations without a tag"
    if granted == 1:
        return f"This key may read, not write, {what}."
    return f"This key may not {LEVELS[needed - 1]} {what}."


def within(child: Permissions | None, parent: Permissions | None) -> bool:
    """Whether a key with ``child`` permissions grants nothing a key with
    ``parent`` permissions does not: a key may mint only such keys."""
    if parent is None:
        return True
    if child is None:
        return False
    return all(
        LEVELS.index(level) + 1
        <= (_level(parent, EVERY_TAG) if tag == EVERY_TAG else _level(parent, tag))
        for tag, level in child.items()
    )
