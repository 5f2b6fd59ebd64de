"""FastAPI baseline: the product's three operations, same work per request."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.baselines import work

app = FastAPI()


def _denied(error: work.Denied) -> JSONResponse:
    return JSONResponse({"status": error.status}, status_code=error.status)


@app.post("/api/api-keys/generate", status_code=201)
async def generate(request: Request):
    try:
        user_id, organization_id = work.caller(
            request.headers.get("authorization"), request.headers.get("organization-id")
        )
    except work.Denied as error:
        return _denied(error)
    body = await request.json()
    name = body.get("name") if isinstance(body, dict) else None
    if name is not None and not isinstance(name, str):
        return JSONResponse({"status": 400}, status_code=400)
    return JSONResponse(
        work.generate(user_id, organization_id, name),
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@app.get("/api/api-keys")
async def get_api_keys(request: Request):
    try:
        _, organization_id = work.caller(
            request.headers.get("authorization"), request.headers.get("organization-id")
        )
    except work.Denied as error:
        return _denied(error)
    return work.listed(organization_id)
