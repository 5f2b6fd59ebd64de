"""The domain's error vocabulary; app.problems maps each to an HTTP answer."""


class Unauthenticated(Exception):
    """No valid credential. Callers are never told which part was wrong."""


class Forbidden(Exception):
    """A valid credential, but not for the organization the request names."""


class NotFound(Exception):
    """The thing does not exist in the caller's organization."""


class Unavailable(Exception):
    """The database cannot be reached or did not answer in time."""
