"""Bare Starlette baseline: the product's operations, same work per request."""

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.baselines import work


async def denied(_request: Request, error: work.Denied) -> JSONResponse:
    return JSONResponse({"status": error.status}, status_code=error.status)


async def generate(request: Request) -> JSONResponse:
    user_id, organization_id = work.caller_from(request.headers)
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise work.Denied(400) from None
    return JSONResponse(
        work.generate(user_id, organization_id, work.requested_name(body)),
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


async def get_api_keys(request: Request) -> JSONResponse:
    _, organization_id = work.caller_from(request.headers)
    return JSONResponse(work.listed(organization_id))


async def verify(request: Request) -> JSONResponse:
    body, headers = work.verified(
        request.headers.get("authorization"), request.headers.get("organization-id")
    )
    return JSONResponse(body, headers=headers)


app = Starlette(
    routes=[
        Route("/api/api-keys/generate", generate, methods=["POST"]),
        Route("/api/api-keys", get_api_keys, methods=["GET"]),
        Route("/api/api-keys/verify", verify, methods=["GET"]),
    ],
    exception_handlers={work.Denied: denied},
)
