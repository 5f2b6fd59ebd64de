"""Request body validation: Connexion's JSON validator, made total.

Connexion's validator lets a body that is not UTF-8, or JSON nested past the
parser's recursion limit, escape as a 500. Both are a client's malformed
input: 400, like any other body that is not JSON.
"""

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator


class TotalJSONRequestBodyValidator(JSONRequestBodyValidator):
    async def _parse(self, stream, scope):
        try:
            return await super()._parse(stream, scope)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail="Request body is not valid UTF-8") from None
        except RecursionError:
            raise BadRequestProblem(detail="Request body is nested too deeply") from None


def validator_map() -> dict:
    body = MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": TotalJSONRequestBodyValidator})
    return {"body": body}
