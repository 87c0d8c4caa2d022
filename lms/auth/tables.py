"""Login accounts."""

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from lms.people.tables import Person, Unit


class User(Table, tablename="lms_user"):
    """A login with one role.

    ``unit`` scopes organizers and HR to their unit and the units below it; ``person`` links a
    participant or trainer login to the person whose records it may see. ``token_version`` is
    written into every token and goes up when the password changes, which ends every token
    issued before (a stolen token does not outlive a password change).
    """

    id = UUID(primary_key=True)
    username = Varchar(length=150, unique=True, index=True)
    password_hash = Varchar(length=255)
    role = Varchar(length=16, index=True)
    person = ForeignKey(Person, null=True, index=True)
    unit = ForeignKey(Unit, null=True)
    active = Boolean(default=True)
    #: Set on accounts made with an initial password (a class's slips, a reset): the holder
    #: must choose their own before any other page opens.
    must_change_password = Boolean(default=False)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    token_version = Integer(default=0)
