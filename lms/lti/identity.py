"""Who a launch is: the Prima user matched by the NIP the platform shares (custom parameter
``nip=$Person.sourcedId``), else by email, else by an earlier link of the platform's ``sub``.
LTI roles map to Prima roles: Learner -> participant, Instructor -> the platform's configured
role (trainer or organizer)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any
from uuid import UUID, uuid4

from lms.auth.caller import Caller
from lms.auth.passwords import make_password_hash
from lms.auth.tables import User
from lms.lti.landing import placed_item
from lms.lti.launch import CLAIM, Launch, LaunchError
from lms.lti.tables import LtiIdentity, LtiResourceLink
from lms.people.tables import Person

_NIP = re.compile(r"^[0-9]{18}$")
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def prima_role(launch: Launch) -> str:
    """The Prima role this launch acts in."""
    if launch.is_instructor:
        return launch.instructor_role
    if launch.is_learner:
        return "participant"
    raise LaunchError("LTI-ROLE", "Peran LTI ini tidak dikenal Prima (Learner atau Instructor).")


async def _person(launch: Launch) -> dict[str, Any] | None:
    nip = re.sub(r"\s", "", str(launch.custom.get("nip") or ""))
    if _NIP.match(nip):
        found = await Person.select(Person.id, Person.unit).where(Person.nip == nip).first()
        if found:
            return found
    if launch.email:
        rows = (
            await Person.select(Person.id, Person.unit).where(Person.email == launch.email).limit(2)
        )
        if len(rows) == 1:  # an email two people share identifies nobody
            return rows[0]
    return None


async def resolve_user(launch: Launch) -> dict[str, Any]:
    """The Prima user for this launch (linking the platform's ``sub`` on first match).

    A person matched by NIP or email who has no login gets a participant account (username =
    NIP, an unusable random password: they enter through the LMS). An instructor is never
    created: their Prima account must exist (an organizer links it).
    """
    key = f"{launch.platform_id} {launch.sub}"
    linked = (
        await LtiIdentity.select(LtiIdentity.user).where(LtiIdentity.natural_key == key).first()
    )
    if linked:
        user = await User.select().where(User.id == linked["user"]).first()
        if user and user["active"]:
            return user
    person = await _person(launch)
    if person is None:
        raise LaunchError(
            "LTI-IDENTITY",
            "Akun LMS ini belum terhubung ke data ASN di Prima: NIP atau email tidak cocok. "
            "Minta penyelenggara menghubungkannya.",
            status=403,
        )
    user = await User.select().where(User.person == person["id"]).first()
    if user is None:
        if prima_role(launch) != "participant":
            raise LaunchError(
                "LTI-IDENTITY",
                "Pengajar belum punya akun Prima; minta admin membuatnya.",
                status=403,
            )
        nip = await Person.select(Person.nip).where(Person.id == person["id"]).first()
        username = (nip or {}).get("nip") or f"lti-{uuid4().hex[:12]}"
        user = {
            "id": uuid4(),
            "username": username,
            "password_hash": await make_password_hash(secrets.token_urlsafe(32)),
            "role": "participant",
            "person": person["id"],
            "unit": person["unit"],
            "active": True,
            "created_at": dt.datetime.now(dt.UTC),
        }
        await User.insert(User(**user))
    if not user["active"]:
        raise LaunchError("LTI-IDENTITY", "Akun Prima ini dinonaktifkan.", status=403)
    await LtiIdentity.insert(
        LtiIdentity(
            id=uuid4(),
            platform=launch.platform_id,
            sub=launch.sub,
            natural_key=key,
            user=user["id"],
            created_at=dt.datetime.now(dt.UTC),
        )
    ).on_conflict(action="DO NOTHING")
    return user


async def remember_link(launch: Launch) -> UUID | None:
    """Store (or refresh) the resource link of a launch with its NRPS and AGS URLs."""
    link = launch.claims.get(CLAIM + "resource_link")
    if not isinstance(link, dict) or not link.get("id"):
        return None
    context = launch.claims.get(CLAIM + "context") or {}
    nrps = launch.claims.get(NRPS_CLAIM) or {}
    ags = launch.claims.get(AGS_CLAIM) or {}
    kind, _, quiz_id = placed_item(launch.custom)
    values: dict[Any, Any] = {
        LtiResourceLink.kind: kind,
        LtiResourceLink.quiz_id: quiz_id if kind == "quiz" else None,
        LtiResourceLink.context_id: str(context.get("id") or "")[:255],
        LtiResourceLink.context_title: str(context.get("title") or "")[:500],
        LtiResourceLink.memberships_url: str(nrps.get("context_memberships_url") or "")[:1000],
        LtiResourceLink.lineitems_url: str(ags.get("lineitems") or "")[:1000],
        LtiResourceLink.lineitem_url: str(ags.get("lineitem") or "")[:1000],
        LtiResourceLink.updated_at: dt.datetime.now(dt.UTC),
    }
    key = f"{launch.platform_id} {link['id']}"[:600]
    found = (
        await LtiResourceLink.select(LtiResourceLink.id)
        .where(LtiResourceLink.natural_key == key)
        .first()
    )
    if found:
        await LtiResourceLink.update(values).where(LtiResourceLink.id == found["id"])
        return UUID(str(found["id"]))
    link_id = uuid4()
    await LtiResourceLink.insert(
        LtiResourceLink(
            id=link_id,
            platform=launch.platform_id,
            natural_key=key,
            resource_link_id=str(link["id"])[:255],
            **{column._meta.name: value for column, value in values.items()},  # type: ignore[arg-type]
        )
    ).on_conflict(action="DO NOTHING")
    return link_id


async def caller_for_user(user: dict[str, Any]) -> Caller:
    """The caller a launched user acts as (their Prima role and unit scope)."""
    from lms.people.tables import Unit

    path = ""
    if user.get("unit"):
        unit = await Unit.select(Unit.path).where(Unit.id == user["unit"]).first()
        path = (unit or {}).get("path") or ""
    return Caller(
        user_id=user["id"],
        username=user["username"],
        role=user["role"],
        unit_id=user.get("unit"),
        unit_path=path,
        person_id=user.get("person"),
    )
