"""The spec's http bearer scheme, checked by a function of ours.

Connexion looks a bearer scheme's check up through ``x-bearerInfoFunc`` in
the spec; here the function is given in code, so the spec stays as
supplied. Connexion also inspects that function's signature twice per
request; the answer is cached.
"""

import functools
from collections.abc import Callable

from connexion.security import BearerSecurityHandler


def bearer_handler(token_info: Callable) -> type[BearerSecurityHandler]:
    """A security handler class for ``security_map`` that checks bearer
    tokens with ``token_info`` (Connexion's token-info signature)."""

    class BearerHandler(BearerSecurityHandler):
        def _resolve_func(self, security_scheme):
            return token_info

        @staticmethod
        @functools.cache
        def _accepts_kwarg(func, keyword: str) -> bool:
            return BearerSecurityHandler._accepts_kwarg(func, keyword)

    return BearerHandler
