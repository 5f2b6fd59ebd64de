"""Connexion's Flask operations, with their decorators built once.

For every request, Connexion's FlaskOperation builds a new FlaskDecorator,
which builds new parameter and response decorators (inspecting the handler's
signature each time) and a new URI parser; the parameter decorator then
converts each parameter's name to its Python form with a few regular
expressions. None of it depends on the request: here it is built once per
operation and reused, and name conversions are memoized. The decorators
themselves, and so what a handler receives and how its return value becomes
a response, are Connexion's, unchanged; except that a handler that takes no
parameters is called at once when the request has no path parameters, the
only ones Connexion would pass regardless of the handler's signature (it
filters the query, body, files and context by it): Connexion would gather
them all to pass nothing.
"""

import functools

from connexion.apps.flask import FlaskOperation
from connexion.decorators import FlaskDecorator
from connexion.decorators.parameter import SyncParameterDecorator, unwrap_decorators
from connexion.utils import inspect_function_arguments

# Only the spec's parameter names are converted; the bound is a safeguard.
MEMOIZED_NAMES = 1024


class _PreparedParameterDecorator(SyncParameterDecorator):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sanitize_fn = functools.lru_cache(maxsize=MEMOIZED_NAMES)(self.sanitize_fn)

    def __call__(self, function):
        decorated = super().__call__(function)
        arguments, has_kwargs = inspect_function_arguments(unwrap_decorators(function))
        if arguments or has_kwargs:
            return decorated

        @functools.wraps(function)
        def wrapper(request):
            return decorated(request) if request.view_args else function()

        return wrapper


class _DecoratedOnce(FlaskDecorator):
    @property
    def _parameter_decorator_cls(self):
        return _PreparedParameterDecorator

    def __call__(self, function):
        decorated = self.decorate(function)
        uri_parsers = []

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            # The parser is made from the operation, which Connexion's
            # context holds only while a request is served.
            if not uri_parsers:
                uri_parsers.append(self.uri_parser)
            return decorated(self.framework.get_request(uri_parser=uri_parsers[0]))

        return wrapper


def decorate_once(flask_side, operation_of_endpoint: dict[str, str]) -> None:
    """Makes each operation of the APIs added to Connexion's Flask side (its
    FlaskASGIApp) decorated once, and records its operation id by Flask
    endpoint in ``operation_of_endpoint``. Connexion adds them when it builds
    its middleware stack, at start-up."""
    add_api = flask_side.add_api

    def add_api_decorated_once(specification, **kwargs):
        api = add_api(specification, **kwargs)
        views = flask_side.app.view_functions
        for endpoint, view in views.items():
            if isinstance(view, FlaskOperation):
                decorator = _DecoratedOnce(
                    pythonic_params=view.pythonic_params, jsonifier=view.jsonifier
                )
                views[endpoint] = decorator(view._fn)
                operation_of_endpoint[endpoint] = view.operation_id
        return api

    flask_side.add_api = add_api_decorated_once
