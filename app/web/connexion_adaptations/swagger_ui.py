"""Swagger UI that does what a user means with the Authorization header.

OpenAPI tools drop a header parameter named Authorization, so the seed
operation's field would show, pre-filled with the spec's example (no valid
key) and required, and never be sent. The page is rendered from our index.j2:
Swagger UI's own, plus a plugin that adapts the page's copy of the spec (no
example in the field, not required there, so Authorize alone works;
descriptions' "<token>" shown literally) and strips a "Bearer " pasted into
Authorize, and a request interceptor that sends the operation's own field,
when filled, over Authorize's token. /openapi.json stays as committed; the
static files stay Connexion's.
"""

from pathlib import Path

from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from starlette.templating import Jinja2Templates

TEMPLATES = Path(__file__).with_name("swagger_ui")


class _SwaggerUIAPI(SwaggerUIAPI):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._templates = Jinja2Templates(directory=str(TEMPLATES))


class SwaggerUIWithAuthorizationField(SwaggerUIMiddleware):
    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        api = _SwaggerUIAPI(
            specification,
            base_path=base_path,
            arguments=arguments,
            default=self.default_fn,
            **kwargs,
        )
        self.router.mount(api.base_path, app=api.router)
