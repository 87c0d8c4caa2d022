"""LTI platforms, launch states and linked identities."""

from piccolo.columns import JSON, UUID, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from lms.auth.tables import User


class LtiPlatform(Table, tablename="lti_platform"):
    """A registered LMS (one issuer and client id; several deployments).

    ``natural_key`` is ``issuer + " " + client_id`` (SQLite cannot add a composite unique
    constraint in a migration). ``instructor_role`` is the Prima role an LTI Instructor gets
    (``trainer`` or ``organizer``), chosen per platform by the admin.
    """

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    issuer = Varchar(length=500, index=True)
    client_id = Varchar(length=255)
    natural_key = Varchar(length=800, unique=True)
    deployment_ids = JSON(default="[]")
    auth_login_url = Varchar(length=1000)
    auth_token_url = Varchar(length=1000)
    jwks_url = Varchar(length=1000)
    instructor_role = Varchar(length=16, default="trainer")
    unit_id = UUID(null=True, default=None)
    created_at = Timestamptz()


class LtiLaunchState(Table, tablename="lti_launch_state"):
    """The state and nonce of one login initiation, kept server-side (a launch inside an
    iframe cannot rely on a cookie set before it). Single use: ``used_at`` is set atomically by
    the launch that consumes it; a replayed ``id_token`` finds it used."""

    id = UUID(primary_key=True)
    state = Varchar(length=64, unique=True)
    nonce = Varchar(length=64, unique=True)
    platform = ForeignKey(LtiPlatform, index=True)
    target_link_uri = Varchar(length=1000, default="")
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LtiIdentity(Table, tablename="lti_identity"):
    """A platform user (``sub``) linked to a Prima user, made at first launch or by an
    organizer. ``natural_key`` is ``platform id + " " + sub``."""

    id = UUID(primary_key=True)
    platform = ForeignKey(LtiPlatform, index=True)
    sub = Varchar(length=255)
    natural_key = Varchar(length=400, unique=True)
    user = ForeignKey(User, index=True)
    created_at = Timestamptz()


class LtiRegistrationToken(Table, tablename="lti_registration_token"):
    """A one-time token in the registration URL an admin pastes into the LMS: dynamic
    registration fetches a URL the request names, so only a URL an admin made may start one
    (otherwise anyone could make the server fetch internal addresses)."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LtiResourceLink(Table, tablename="lti_resource_link"):
    """A placement of Prima in an LMS course, with the service URLs its launches carried
    (NRPS memberships, AGS line items). ``natural_key`` is ``platform id + " " + resource link
    id``; ``session_id`` is set when an organizer ties the placement to a Prima session (a
    plain id: ``lms`` does not import ``courses``). ``kind`` and ``quiz_id`` say what Prima
    placed there by Deep Linking (the launch's ``prima_kind`` and ``quiz_id`` custom
    parameters): a quiz's scores go to the line item of the placements of that quiz."""

    id = UUID(primary_key=True)
    platform = ForeignKey(LtiPlatform, index=True)
    natural_key = Varchar(length=600, unique=True)
    resource_link_id = Varchar(length=255)
    context_id = Varchar(length=255, default="")
    context_title = Varchar(length=500, default="")
    memberships_url = Varchar(length=1000, default="")
    lineitems_url = Varchar(length=1000, default="")
    lineitem_url = Varchar(length=1000, default="")
    session_id = UUID(null=True, default=None, index=True)
    kind = Varchar(length=16, default="")
    quiz_id = UUID(null=True, default=None, index=True)
    updated_at = Timestamptz()


class LtiScore(Table, tablename="lti_score"):
    """The last score sent for one person to one line item: re-sending the same score is a
    no-op, a failure is kept with its reason for the organizer to see and retry.

    ``status``: pending (queued for the retry job), sent, failed (the job gave up; an
    organizer may retry). ``payload`` is the AGS score as sent (or to send), so a retry sends
    exactly the same body, timestamp included. ``session_id`` and ``quiz_id`` (plain ids) let
    the organizer's status list find a session's deliveries; ``tries`` counts the attempts."""

    id = UUID(primary_key=True)
    natural_key = Varchar(length=1300, unique=True)
    link = ForeignKey(LtiResourceLink, index=True)
    person_id = UUID(index=True)
    score_given = Varchar(length=16)
    status = Varchar(length=16, default="sent")
    error = Varchar(length=500, default="")
    sent_at = Timestamptz()
    session_id = UUID(null=True, default=None, index=True)
    quiz_id = UUID(null=True, default=None)
    payload = JSON(default="{}")
    tries = Integer(default=0)


class LtiHandoff(Table, tablename="lti_handoff"):
    """A one-time, short-lived (2 minutes) launch token: when a launch inside an LMS iframe
    finds its session cookie blocked (third-party cookies), the person opens Prima in a new
    window with it, and that first-party window exchanges it for a session. Only its hash is
    stored; ``used_at`` is set atomically by the one exchange that wins."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, index=True)
    target = Varchar(length=300)
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
