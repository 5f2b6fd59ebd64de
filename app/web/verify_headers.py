"""How verify's X-Auth-User-Email carries an email to a gateway.

A header value is bytes: a character beyond Latin-1 cannot be written at
all, and a control character makes the HTTP server drop the response. The
value is the email percent-encoded as UTF-8 (RFC 3986): every character
outside printable ASCII, and ``%`` itself, becomes ``%XX``. An ASCII email
without ``%`` is carried as it is, and any percent-decoder gives every
email back exactly.
"""

from urllib.parse import quote

# quote() always keeps letters, digits and "_.-~": these are the rest of
# printable ASCII but space and "%".
_KEPT = "".join(chr(code) for code in range(0x21, 0x7F) if chr(code) != "%")


def email_header(email: str) -> str:
    """The value of X-Auth-User-Email for ``email``."""
    return quote(email, safe=_KEPT)
