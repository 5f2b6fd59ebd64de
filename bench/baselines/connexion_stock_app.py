"""Stock Connexion: the product's openapi.json and handlers on Connexion's
FlaskApp as its documentation sets it up, where every Connexion user starts.

Flask is reached through a2wsgi's thread pool, and nothing is cached or
bridged: none of app.web.connexion_adaptations. What it needs beyond the
documented setup is what any user of this spec would write: the operationId
rule (app.web.resolver), the bearer check given in code, the error handlers,
and the services made current for the handlers. It validates requests and
responses, as the product does.
"""

from connexion import FlaskApp
from connexion.security import BearerSecurityHandler

from app.services import build_services, make_current
from app.settings import load_settings
from app.web import problems
from app.web.application import SPECIFICATION
from app.web.auth import bearer_caller
from app.web.resolver import ControllerResolver


class BearerHandler(BearerSecurityHandler):
    def _resolve_func(self, security_scheme):
        return bearer_caller


connexion_app = FlaskApp(__name__, specification_dir=SPECIFICATION.parent)
connexion_app.add_api(
    SPECIFICATION.name,
    resolver=ControllerResolver(),
    pythonic_params=True,
    strict_validation=True,
    validate_responses=True,
    security_map={"bearer": BearerHandler},
)
problems.register(connexion_app)
services = build_services(load_settings())


async def app(scope, receive, send):
    make_current(services)
    await connexion_app(scope, receive, send)
