"""FastAPI baseline: the product's operations, same work per request."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.baselines import work

app = FastAPI()


@app.exception_handler(work.Denied)
async def denied(_request: Request, error: work.Denied) -> JSONResponse:
    return JSONResponse({"status": error.status}, status_code=error.status)


@app.post("/api/api-keys/generate", status_code=201)
async def generate(request: Request):
    user_id, organization_id = work.caller_from(request.headers)
    name = work.requested_name(await request.json())
    return JSONResponse(
        work.generate(user_id, organization_id, name),
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@app.get("/api/api-keys")
async def get_api_keys(request: Request):
    _, organization_id = work.caller_from(request.headers)
    return work.listed(organization_id)


@app.get("/api/api-keys/verify")
async def verify(request: Request):
    body, headers = work.verified(
        request.headers.get("authorization"), request.headers.get("organization-id")
    )
    return JSONResponse(body, headers=headers)
