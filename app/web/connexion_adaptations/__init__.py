"""Where we depart from stock Connexion, written for connexion 3.3.0.

Each module wraps or configures Connexion, never forks it; several reach
into its internals, and tests/unit/test_connexion_adaptations.py checks each
internal still exists, naming the module to revisit after an upgrade.

- flask_bridge: Flask is called once per request on the event loop, with the
  body already read, instead of through a2wsgi's hand-offs to a thread pool
  (replaces ``FlaskApp._middleware_app.asgi_app``). Measured: about 2.5x the
  requests per second.
- direct_operations: verify is answered by its handler right after
  Connexion's routing, security and validation, without Flask (wraps the
  bridge; reads the operation Connexion's routing names in the scope).
  Measured through nginx: see bench/gateway.py.
- flask_operations: each operation's decorators, URI parser and
  parameter-name conversion are built once, not per request (rebuilds the
  views of ``FlaskOperation`` from its ``_fn``); a handler that takes no
  parameters is called without gathering them.
- prepared_validation: the request and response validation middlewares'
  URI parser, parameter validator, media types and spec lookups are built
  once per operation, not per request (replaces both middlewares'
  operation classes and overrides their ``__call__``).
- validation: each schema's validator is compiled once, jsonschema-rs
  checks first, and bodies that are not UTF-8, nested too deep or hold
  over-long integers are 400s instead of 500s (subclasses Connexion's
  validators and their private ``_parse``/``_validate``/``_validator``).
- routing: path parameters route as plain segments so that validation
  answers 400 naming the field; no slash redirects; no HEAD but the spec's; and
  Flask serves an operation's view only when Connexion routed the request
  to it (Connexion's routing middleware and its scope extension).
- security: the bearer scheme's check is given in code, and its signature
  inspection cached (``BearerSecurityHandler._resolve_func`` and
  ``_accepts_kwarg``).
- requests: no form parsing for JSON bodies; a path parameter's text as
  routed, before Connexion's float conversion.
- swagger_ui: Swagger UI's page from our index.j2, whose request
  interceptor sends an operation's own Authorization field, which OpenAPI
  tools otherwise drop (replaces ``SwaggerUIMiddleware.add_api``).
- responses: handlers return ready-made JSON responses; one serializer for
  them and for Connexion.
"""
