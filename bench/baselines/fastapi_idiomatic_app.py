"""FastAPI as its tutorial teaches it: pydantic models for the body and every
response, HTTPBearer, a Session dependency, ``def`` endpoints (run in
FastAPI's thread pool), ORM queries on the product's models.

It validates requests and responses, as the product does: the peer most
users would write instead. Same work per request as work.py.
"""

from datetime import UTC, datetime
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.storage.models import ApiKey, Membership, Organization, User
from bench.baselines import work

SessionLocal = sessionmaker(work.engine)
app = FastAPI()
bearer = HTTPBearer()


class GenerateApiKey(BaseModel):
    name: str | None = None


class ApiKeyCreated(BaseModel):
    id: int
    key: str


class ApiKeyListItem(BaseModel):
    id: int
    name: str | None = None
    token: str
    createdAt: datetime
    revoked: bool


class VerifiedCredential(BaseModel):
    userEmail: str
    organizationId: str | None = None
    apiKeyId: int | None = None


class Caller(BaseModel):
    user_id: int
    organization_id: int


def get_session():
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
Credentials = Annotated[HTTPAuthorizationCredentials, Depends(bearer)]


def _key(session: Session, token: str) -> tuple[ApiKey, User, Organization]:
    """The key with its user and organization, in one query as the product's."""
    if not work.is_well_formed(token):
        raise HTTPException(401)
    row = session.execute(
        select(ApiKey, User, Organization)
        .join(User, User.id == ApiKey.user_id)
        .join(Organization, Organization.id == ApiKey.organization_id)
        .join(
            Membership,
            (Membership.user_id == ApiKey.user_id)
            & (Membership.organization_id == ApiKey.organization_id),
        )
        .where(
            ApiKey.key_hash == work.hash_key(token),
            ApiKey.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    if row is None:
        raise HTTPException(401)
    return row[0], row[1], row[2]


def _user(session: Session, token: str, organization: str | None) -> tuple[User, Organization]:
    try:
        claims = jwt.decode(token, work.SECRET, algorithms=["HS384"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        raise HTTPException(401) from None
    row = session.execute(
        select(User, Organization)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(
            User.email_key == claims["sub"].lower(),
            User.active.is_(True),
            Organization.public_id == organization,
        )
    ).first()
    if row is None:
        raise HTTPException(403)
    return row[0], row[1]


def get_caller(
    credentials: Credentials,
    organization_id: Annotated[str, Header(alias="organization-id")],
    session: SessionDep,
) -> Caller:
    token = credentials.credentials
    if token.startswith("bc_"):
        key, _, organization = _key(session, token)
        if organization.public_id != organization_id:
            raise HTTPException(403)
        return Caller(user_id=key.user_id, organization_id=key.organization_id)
    user, organization = _user(session, token, organization_id)
    return Caller(user_id=user.id, organization_id=organization.id)


CallerDep = Annotated[Caller, Depends(get_caller)]


@app.post("/api/api-keys/generate", status_code=201, response_model=ApiKeyCreated)
def generate(body: GenerateApiKey, caller: CallerDep, session: SessionDep, response: Response):
    key_text = work.new_key()
    key = ApiKey(
        organization_id=caller.organization_id,
        user_id=caller.user_id,
        name=body.name,
        key_hash=work.hash_key(key_text),
        display_prefix=key_text[:8],
        created_at=datetime.now(UTC),
    )
    session.add(key)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return ApiKeyCreated(id=key.id, key=key_text)


@app.get("/api/api-keys", response_model=list[ApiKeyListItem], response_model_exclude_none=True)
def get_api_keys(caller: CallerDep, session: SessionDep):
    keys = session.scalars(
        select(ApiKey)
        .where(ApiKey.organization_id == caller.organization_id, ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.id)
    )
    return [
        ApiKeyListItem(
            id=key.id,
            name=key.name,
            token=key.display_prefix + "...",
            createdAt=key.created_at,
            revoked=False,
        )
        for key in keys
    ]


@app.get(
    "/api/api-keys/verify", response_model=VerifiedCredential, response_model_exclude_none=True
)
def verify(
    credentials: Credentials,
    session: SessionDep,
    response: Response,
    organization_id: Annotated[str | None, Header(alias="organization-id")] = None,
):
    token = credentials.credentials
    if token.startswith("bc_"):
        key, user, organization = _key(session, token)
        if organization_id is not None and organization_id != organization.public_id:
            raise HTTPException(403)
        upstream = work.exchanged_token(user.email, key.id, organization.public_id)
        verified = VerifiedCredential(
            userEmail=user.email, organizationId=organization.public_id, apiKeyId=key.id
        )
    else:
        user, organization = _user(session, token, organization_id)
        upstream = token
        verified = VerifiedCredential(userEmail=user.email, organizationId=organization.public_id)
    response.headers.update(work.verified_headers(verified.model_dump(exclude_none=True), upstream))
    return verified
