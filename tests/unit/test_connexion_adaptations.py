"""The Connexion internals app.web.connexion_adaptations relies on.

The adaptations were written for one Connexion version. An upgrade that
changes what they reach into must fail here, loudly, naming the module to
revisit, rather than somewhere deep in a request.
"""

import importlib
from importlib.metadata import version

import pytest

WRITTEN_FOR = "3.3.0"
PACKAGE = "app/web/connexion_adaptations"

# module to revisit -> the internals it relies on, as "module:attribute.path"
RELIED_ON = {
    "flask_bridge": [
        "connexion.apps.flask:FlaskApp",
        "a2wsgi.wsgi:build_environ",
    ],
    "direct_operations": [
        "connexion.middleware.abstract:ROUTING_CONTEXT",
        "connexion.utils:get_function_from_name",
        "connexion.apps.flask:FlaskASGIApp.__call__",
    ],
    "flask_operations": [
        "connexion.apps.flask:FlaskOperation.__init__",
        "connexion.decorators:FlaskDecorator.decorate",
        "connexion.decorators:FlaskDecorator._parameter_decorator_cls",
        "connexion.decorators:FlaskDecorator.uri_parser",
        "connexion.decorators.parameter:SyncParameterDecorator",
        "connexion.decorators.parameter:unwrap_decorators",
        "connexion.decorators.parameter:prep_kwargs",
        "connexion.utils:inspect_function_arguments",
    ],
    "prepared_validation": [
        "connexion.middleware.request_validation:RequestValidationOperation.__call__",
        "connexion.middleware.request_validation:RequestValidationOperation.security_query_params",
        "connexion.middleware.request_validation:RequestValidationAPI.make_operation",
        "connexion.middleware.response_validation:ResponseValidationOperation.__call__",
        "connexion.middleware.response_validation:ResponseValidationOperation.validate_required_headers",
        "connexion.middleware.response_validation:ResponseValidationAPI.make_operation",
        "connexion.operations:AbstractOperation.uri_parser_class",
        "connexion.datastructures:MediaTypeDict",
    ],
    "validation": [
        "connexion.validators:JSONRequestBodyValidator._parse",
        "connexion.validators:JSONRequestBodyValidator._validate",
        "connexion.validators:JSONRequestBodyValidator._validator",
        "connexion.validators:JSONResponseBodyValidator.validator",
        "connexion.validators:JSONResponseBodyValidator._validate",
        "connexion.validators:ParameterValidator.validate_parameter",
        "connexion.validators:VALIDATOR_MAP",
        "connexion.utils:is_nullable",
    ],
    "routing": [
        "connexion.middleware.abstract:ROUTING_CONTEXT",
        "connexion.middleware.main:ConnexionMiddleware.default_middlewares",
        "connexion.middleware.routing:RoutingMiddleware.add_api",
        "starlette.convertors:register_url_convertor",
    ],
    "swagger_ui": [
        "connexion.middleware.swagger_ui:SwaggerUIAPI._get_swagger_ui_home",
        "connexion.middleware.swagger_ui:SwaggerUIMiddleware.default_fn",
        "connexion.middleware.main:ConnexionMiddleware.default_middlewares",
    ],
    "security": [
        "connexion.security:BearerSecurityHandler._resolve_func",
        "connexion.security:BearerSecurityHandler._accepts_kwarg",
    ],
}


def _resolve(target: str):
    module_name, _, path = target.partition(":")
    value = importlib.import_module(module_name)
    for name in path.split("."):
        value = getattr(value, name)
    return value


def test_connexion_is_the_version_the_adaptations_were_written_for():
    assert version("connexion") == WRITTEN_FOR, (
        f"connexion {version('connexion')} is installed; {PACKAGE} was written for "
        f"{WRITTEN_FOR}: revisit each module there (its docstring lists the departures), "
        f"then update WRITTEN_FOR"
    )


@pytest.mark.parametrize(
    ("module", "target"),
    [(module, target) for module, targets in RELIED_ON.items() for target in targets],
)
def test_each_internal_an_adaptation_relies_on_exists(module, target):
    try:
        _resolve(target)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{target} is gone ({error}): revisit {PACKAGE}/{module}.py")


def test_the_app_object_still_has_the_parts_the_bridge_replaces():
    from connexion import FlaskApp

    app = FlaskApp(__name__)
    flask_side = app._middleware_app
    for name in ("asgi_app", "add_api", "app"):
        assert hasattr(flask_side, name), f"revisit {PACKAGE}/flask_bridge.py and application.py"
