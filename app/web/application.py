"""The application, built in one place with every option visible."""

import flask
from connexion import FlaskApp
from connexion.options import SwaggerUIOptions

from app.domain.errors import Unavailable
from app.logs import silence_value_echoing_loggers
from app.services import SPECIFICATION, Services, build_services, current_services
from app.settings import Settings, load_settings
from app.storage import migrate
from app.web import metrics, problems
from app.web.auth import bearer_caller
from app.web.connexion_adaptations import responses, routing, validation
from app.web.connexion_adaptations.direct_operations import DirectOperations
from app.web.connexion_adaptations.flask_bridge import FlaskBridge
from app.web.connexion_adaptations.flask_operations import decorate_once
from app.web.connexion_adaptations.requests import JSONRequest
from app.web.connexion_adaptations.security import bearer_handler
from app.web.edge import Edge
from app.web.request_state import tag_records_with_request_ids
from app.web.resolver import ControllerResolver


def create_app(settings: Settings | None = None, services: Services | None = None):
    """The ASGI application: Connexion's FlaskApp behind the edge middleware."""
    services = services or build_services(settings or load_settings())
    app = FlaskApp(
        __name__,
        specification_dir=SPECIFICATION.parent,
        middlewares=routing.MIDDLEWARES,
        # Compact JSON, as the handlers write it: Connexion indents by default.
        jsonifier=responses.JSONIFIER,
    )
    operation_of_endpoint: dict[str, str] = {}
    routing.configure_flask_routing(app.app, operation_of_endpoint)
    app.app.request_class = JSONRequest
    app.add_api(
        SPECIFICATION.name,
        resolver=ControllerResolver(),
        pythonic_params=True,
        strict_validation=True,
        validate_responses=True,
        validator_map=validation.validator_map(),
        security_map={"bearer": bearer_handler(bearer_caller)},
        # The spec is served below as the committed file: Connexion would
        # serve it with every $ref inlined, and client generators would lose
        # the named types.
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui", serve_spec=False),
    )
    # Connexion's FlaskApp reaches Flask through a2wsgi; the bridge replaces
    # that hand-off (see connexion_adaptations.flask_bridge), and verify is
    # answered before it (direct_operations). Connexion offers no option for
    # either.
    flask_side = app._middleware_app
    decorate_once(flask_side, operation_of_endpoint)
    flask_side.asgi_app = DirectOperations(
        FlaskBridge(app.app.wsgi_app, other_scopes=flask_side.asgi_app)
    )
    app.app.teardown_request(_release_request_connection)
    problems.register(app)
    silence_value_echoing_loggers()
    tag_records_with_request_ids()
    committed_spec = SPECIFICATION.read_bytes()
    app.add_url_rule(
        "/openapi.json",
        "openapi",
        lambda: flask.Response(committed_spec, mimetype="application/json"),
    )
    # The one redirect: a bare / leads a browser to Swagger UI (API paths never redirect).
    app.add_url_rule("/", "root", lambda: flask.redirect("ui/", code=302))
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    if services.settings.metrics_enabled:
        app.add_url_rule("/metrics", "metrics", scrape)
    return Edge(app, services)


def _release_request_connection(_error) -> None:
    current_services().database.release_request_connection()


def scrape():
    body, content_type = metrics.exposition()
    return flask.Response(body, content_type=content_type)


def healthz():
    return {"status": "ok"}, 200


def readyz():
    """Ready when the database answers and its schema is this version's."""
    try:
        with current_services().database.connection() as connection:
            revision = migrate.current_revision(connection)
    except Unavailable:
        return _not_ready("database unavailable")
    if revision != migrate.head_revision():
        return _not_ready("database schema is not at this version's migration")
    return {"status": "ready"}, 200


def _not_ready(status: str):
    return {"status": status}, 503, {"Retry-After": problems.RETRY_AFTER_SECONDS}
