"""The CLI's numbers (ids, a TTL, a port), read as the API reads a path id.

click's INT takes whatever int() takes: `` 5``, ``1_000`` and Arabic-Indic
digits, so that ``keys revoke ٢`` would revoke key 2.
"""

import click

from app.domain.keys import whole_number

# The largest number an option without its own bound takes (a 64-bit integer).
LARGEST = 2**63 - 1


class WholeNumber(click.ParamType):
    """A whole number from ``lowest`` to ``highest``, in plain ASCII digits."""

    name = "integer"

    def __init__(self, lowest: int, highest: int = LARGEST):
        self.lowest = lowest
        self.highest = highest

    def convert(self, value, param, ctx):
        if isinstance(value, int):  # a default, given as a number
            return value
        number = whole_number(value, self.lowest, self.highest)
        if number is None:
            self.fail(
                f"{value!r} is not a whole number from {self.lowest} to {self.highest}, "
                "written in plain ASCII as JSON writes numbers",
                param,
                ctx,
            )
        return number
