"""Organizations and users: what operators manage through the CLI."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from app.domain.errors import Conflict, Invalid, NotFound
from app.domain.tokens import NoUpstreamSubject, subject_for
from app.storage.database import Database
from app.storage.models import ApiKey, Membership, Organization, User, utc_now

# Emails compare case-insensitively for ASCII letters only: str.lower() would
# also fold look-alikes such as U+212A (Kelvin sign) into "k".
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def email_key(email: str) -> str:
    """The form two emails share when they name the same user."""
    return email.translate(_ASCII_LOWER)


# One @, something on each side, a dot in the domain, no spaces: what an
# email must look like to be taken; delivery is never attempted.
_PLAUSIBLE_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
# Bigcapital's IsEmail (validator.js) takes at most 254 characters.
MAX_EMAIL_LENGTH = 254


def check_email(email: str) -> None:
    """Raises Invalid unless ``email`` looks like an email.

    Letters beyond ASCII are welcome, in the local part and the domain, as
    Bigcapital takes them. Characters that are not printable never are: C0,
    DEL and C1 controls, format characters (bidirectional overrides,
    zero-width ones), surrogates, private-use and unassigned code points.
    An email is written to logs, terminals and HTTP headers.
    """
    if len(email) > MAX_EMAIL_LENGTH:
        raise Invalid(f"an email has at most {MAX_EMAIL_LENGTH} characters")
    if not email.isprintable():
        raise Invalid(f"{email!r} holds a control or other unprintable character")
    if not _PLAUSIBLE_EMAIL.fullmatch(email):
        raise Invalid(f"{email!r} does not look like an email")


def check_organization_name(name: str) -> None:
    """Raises Invalid for a blank name."""
    if not name.strip():
        raise Invalid("an organization's name must not be blank")


def new_organization_id() -> str:
    return "org_" + secrets.token_hex(10)


def create_organization(database: Database, name: str) -> str:
    """Creates an organization; returns its public id. Raises Invalid for a
    blank name."""
    check_organization_name(name)
    organization = Organization(public_id=new_organization_id(), name=name)
    with database.transaction() as session:
        session.add(organization)
    return organization.public_id


@dataclass(frozen=True)
class AddedUser:
    email: str
    # The upstream id this call recorded (the user had none), else None.
    recorded_upstream_id: int | None
    # Whether this call made the user a member (it was not one).
    joined: bool


def add_user(
    database: Database, email: str, organization_public_id: str, upstream_id: int | None = None
) -> AddedUser:
    """Creates the user if new and makes it a member of the organization;
    records ``upstream_id`` (Bigcapital's id for the user) when given and
    the user has none. An inactive user stays inactive.

    Raises Invalid for an email that does not look like one, NotFound for an
    unknown organization, Conflict when another user has that upstream id or
    this user has another: replacing one is set_upstream_id's, on purpose.
    """
    check_email(email)
    with database.transaction() as session:
        organization_id = _organization_id(session, organization_public_id)
        user = session.scalar(select(User).where(User.email_key == email_key(email)))
        if user is None:
            user = User(email=email, email_key=email_key(email), active=True)
            session.add(user)
        recorded = None
        if upstream_id is not None and user.upstream_id != upstream_id:
            if user.upstream_id is not None:
                raise Conflict(
                    f"{user.email} has upstream id {user.upstream_id}; to change it, run "
                    f"bckeys user set-upstream-id {user.email} {upstream_id}"
                )
            _check_upstream_id_free(session, upstream_id)
            user.upstream_id = recorded = upstream_id
        session.flush()
        joined = session.get(Membership, (user.id, organization_id)) is None
        if joined:
            session.add(Membership(user_id=user.id, organization_id=organization_id))
        return AddedUser(user.email, recorded, joined)


def set_upstream_id(database: Database, email: str, upstream_id: int) -> tuple[str, int | None]:
    """Records ``upstream_id`` as Bigcapital's id for the user, replacing the
    one it has. Returns the user's email and its previous upstream id.
    Raises NotFound for no such user, Conflict when another user has that id."""
    with database.transaction() as session:
        user = _user(session, email)
        previous = user.upstream_id
        if previous != upstream_id:
            _check_upstream_id_free(session, upstream_id)
            user.upstream_id = upstream_id
        return user.email, previous


def _check_upstream_id_free(session, upstream_id: int) -> None:
    holder = session.scalar(select(User.email).where(User.upstream_id == upstream_id))
    if holder is not None:
        raise Conflict(f"upstream id {upstream_id} belongs to {holder}")


def token_subject(database: Database, subject_kind: str, email: str) -> str:
    """The ``sub`` of a token for the active user with this email: the email
    itself, or Bigcapital's id for the user (APP_JWT_SUBJECT=user_id).

    Raises NotFound for no such active user, or one without an upstream id
    when the subject is the user's id.
    """
    with database.transaction() as session:
        user = session.scalar(
            select(User).where(User.email_key == email_key(email), User.active.is_(True))
        )
        if user is None:
            raise NotFound(f"no active user {email}")
        try:
            return subject_for(subject_kind, user.email, user.upstream_id)
        except NoUpstreamSubject:
            raise NotFound(
                f"{email} has no upstream id; record Bigcapital's with "
                f"bckeys user create {email} --org ORG_ID --upstream-id N"
            ) from None


def upstream_id_of(database: Database, email: str) -> int | None:
    """Bigcapital's id for the user, as recorded. Raises NotFound."""
    with database.transaction() as session:
        return _user(session, email).upstream_id


def set_user_active(database: Database, email: str, active: bool) -> str:
    """Deactivates the user (its tokens and keys stop working) or activates
    it again; returns its email as recorded. Raises NotFound."""
    with database.transaction() as session:
        user = _user(session, email)
        user.active = active
        return user.email


def organizations(database: Database) -> list[tuple[str, str, datetime]]:
    """Every organization: (id, name, created), oldest first."""
    with database.transaction() as session:
        rows = session.execute(
            select(Organization.public_id, Organization.name, Organization.created_at).order_by(
                Organization.id
            )
        )
        return [tuple(row) for row in rows]


def organization_ids_named(database: Database, name: str) -> list[str]:
    with database.transaction() as session:
        return list(
            session.scalars(select(Organization.public_id).where(Organization.name == name))
        )


def members(database: Database, organization_public_id: str) -> list[tuple[str, bool, int | None]]:
    """The organization's users: (email, active, upstream id), in the order
    they joined. Raises NotFound for an unknown organization."""
    with database.transaction() as session:
        organization_id = _organization_id(session, organization_public_id)
        rows = session.execute(
            select(User.email, User.active, User.upstream_id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id)
            .order_by(User.id)
        )
        return [tuple(row) for row in rows]


def remove_user(
    database: Database, email: str, organization_public_id: str
) -> tuple[str, list[int]]:
    """Takes the user out of the organization and revokes, for good, their
    keys there: adding the user back does not revive one. Returns the user's
    email as recorded and the ids of the keys it revoked. Raises NotFound for
    an unknown user or organization, or a non-member (nothing is changed)."""
    with database.transaction() as session:
        user = _user(session, email)
        organization_id = _organization_id(session, organization_public_id)
        removed = session.execute(
            delete(Membership).where(
                Membership.user_id == user.id,
                Membership.organization_id == organization_id,
            )
        )
        if removed.rowcount == 0:
            raise NotFound(f"{user.email} is not a member of organization {organization_public_id}")
        revoked = session.scalars(
            update(ApiKey)
            .where(
                ApiKey.user_id == user.id,
                ApiKey.organization_id == organization_id,
                ApiKey.revoked_at.is_(None),
            )
            .values(revoked_at=utc_now())
            .returning(ApiKey.id)
        )
        return user.email, sorted(revoked)


def has_organizations(database: Database) -> bool:
    with database.transaction() as session:
        return session.scalar(select(Organization.id).limit(1)) is not None


def _user(session, email: str) -> User:
    user = session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None:
        raise NotFound(f"no user {email}")
    return user


def _organization_id(session, public_id: str) -> int:
    organization_id = session.scalar(
        select(Organization.id).where(Organization.public_id == public_id)
    )
    if organization_id is None:
        raise NotFound(f"no organization {public_id}")
    return organization_id
