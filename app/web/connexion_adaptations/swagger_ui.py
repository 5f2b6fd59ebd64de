"""Swagger UI whose operations' own Authorization field works.

OpenAPI tools drop a header parameter named Authorization, so the seed
operation's field shows, pre-filled and required, and is never sent. The
page is rendered from our index.j2 (Swagger UI's own, plus a request
interceptor that sends the field when Authorize has not set the header);
the static files stay Connexion's.
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
