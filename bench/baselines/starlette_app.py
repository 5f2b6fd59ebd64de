"""Bare Starlette baseline: the product's operations, same work per request."""

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.baselines import work


async def generate(request: Request) -> JSONResponse:
    try:
        user_id, organization_id = work.caller(
            request.headers.get("authorization"), request.headers.get("organization-id")
        )
    except work.Denied as error:
        return JSONResponse({"status": error.status}, status_code=error.status)
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"status": 400}, status_code=400)
    name = body.get("name") if isinstance(body, dict) else None
    if name is not None and not isinstance(name, str):
        return JSONResponse({"status": 400}, status_code=400)
    return JSONResponse(
        work.generate(user_id, organization_id, name),
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


async def get_api_keys(request: Request) -> JSONResponse:
    try:
        _, organization_id = work.caller(
            request.headers.get("authorization"), request.headers.get("organization-id")
        )
    except work.Denied as error:
        return JSONResponse({"status": error.status}, status_code=error.status)
    return JSONResponse(work.listed(organization_id))


app = Starlette(
    routes=[
        Route("/api/api-keys/generate", generate, methods=["POST"]),
        Route("/api/api-keys", get_api_keys, methods=["GET"]),
    ]
)
