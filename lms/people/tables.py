"""Org units and people (ASN profiles)."""

from piccolo.columns import (
    UUID,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Unit(Table, tablename="unit"):
    """An organisational unit: pemerintah daerah → OPD / kecamatan → kelurahan.

    ``path`` is the materialised chain of ids (``/<root>/<child>/``) so "this unit and every
    unit below it" is one indexed prefix match instead of a recursive query.
    """

    id = UUID(primary_key=True)
    code = Varchar(length=64, unique=True, index=True)
    name = Varchar(length=255, index=True)
    kind = Varchar(length=32, default="opd")
    parent: "ForeignKey[Unit]" = ForeignKey("self", null=True)
    path = Varchar(length=1024, index=True, default="")
    city = Varchar(length=128, default="")
    timezone = Varchar(length=64, default="Asia/Jakarta")
    created_at = Timestamptz()
    skm_population = Integer(null=True, default=None)
    """Service users per SKM period (the population the SKM sample must cover); unset: unknown."""


class Person(Table, tablename="person"):
    """An ASN (or non-ASN) person: the subject of enrollments, ledgers and certificates.

    The name is stored without titles; ``front_title`` / ``back_title`` hold the gelar so a
    certificate can print "Dr. Siti Nurhaliza, M.Si." and a search can ignore titles.
    """

    id = UUID(primary_key=True)
    nip = Varchar(length=18, null=True, unique=True, index=True)
    name = Varchar(length=255, index=True)
    front_title = Varchar(length=64, default="")
    back_title = Varchar(length=128, default="")
    asn_type = Varchar(length=16, default="pns")
    golongan = Varchar(length=8, default="")
    jabatan = Varchar(length=255, default="")
    jabatan_type = Varchar(length=32, default="")
    unit = ForeignKey(Unit, null=True, index=True)
    email = Varchar(length=255, default="")
    phone = Varchar(length=32, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
