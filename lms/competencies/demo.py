"""The demo of the competency app: the framework, DPMPTSP's SKM surveys and a few ledger entries.

Runs after the lms, courses and certificates demos and reads ``ctx["units"]``,
``ctx["people"]`` (the 27 participants in file order) and ``ctx["users"]``. Everything goes
through the same services the API uses, so the audit log reads like a real run:

* the competency framework of ``demo_data/competencies_pelayanan_publik.csv`` (8 codes);
* DPMPTSP's satisfaction survey ``demo_data/skm_dpmptsp_2025_2026.csv``: 2025-S1 IKM 77,22
  and 2026-S1 IKM 80,42 (both B, Baik), U6 2,97 → 3,38 and U7 3,10 → 3,52;
* five DPMPTSP front-office staff (Yusnita Dewi, Fitri Handayani, Arif Rahman Hakim, Yulia
  Rahmi, Eko Prasetyo) trained in service excellence by BPSDM Sumatera Barat in October 2025,
  between the two surveys, so the training-impact report shows 0 → 5 trained staff;
* this year: HR records a bimtek for Rina Yulianti (12 JP) and a seminar for Lely Suryati
  (4 JP), and Afrizal (the ``participant`` login) reports an e-learning course himself (6 JP,
  pending until HR decides).

The sample files are copied into this package so the demo does not need the shared folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import msgspec

from lms.auth.caller import Caller
from lms.competencies.framework import FrameworkService
from lms.competencies.records import LedgerService
from lms.competencies.schemas import LearningRecordCreate
from lms.competencies.surveys import SurveyService
from lms.config import get_settings
from lms.people.tables import Unit

DEMO_DATA = Path(__file__).parent / "demo_data"
FRAMEWORK_FILE = "competencies_pelayanan_publik.csv"
SKM_FILE = "skm_dpmptsp_2025_2026.csv"
SERVICE_UNIT = "DPMPTSP-PPJ"

FRONT_OFFICE = (3, 10, 15, 19, 22)
"""Indexes in ``ctx["people"]`` of the DPMPTSP front-office staff trained in October 2025."""

_FRONT_OFFICE_TRAINING = {
    "title": "Pelatihan Pelayanan Prima bagi Petugas Front Office",
    "organizer": "BPSDM Provinsi Sumatera Barat",
    "jenis_diklat": 3,
    "klasikal": True,
    "start_date": "2025-10-14",
    "end_date": "2025-10-16",
    "jp": "24",
    "competency_codes": ["PP-01", "PP-02", "PP-05"],
}


def _this_year_dates(month: int, day: int, days: int) -> tuple[str, str]:
    """A past span in the current year (or the last days before today early in January)."""
    today = dt.date.today()
    start = dt.date(today.year, month, day)
    if start + dt.timedelta(days=days) >= today:
        start = today - dt.timedelta(days=days + 1)
    return start.isoformat(), (start + dt.timedelta(days=days)).isoformat()


async def seed(ctx: dict[str, Any]) -> None:
    """Load the framework, the SKM surveys and the demo ledger entries.

    Args:
        ctx: Left by the earlier demos: ``units`` (code → id), ``people`` (27 ids) and
            ``users`` (role → user id).
    """
    settings = ctx.get("settings") or get_settings()
    root = await Unit.select(Unit.id, Unit.path).where(Unit.parent.is_null()).first()
    users = ctx.get("users", {})
    hr = Caller(
        user_id=users["hr"],
        username="hr",
        role="hr",
        unit_id=root["id"] if root else None,
        unit_path=root["path"] if root else "",
    )
    await FrameworkService(settings).import_file(
        hr, (DEMO_DATA / FRAMEWORK_FILE).read_bytes(), FRAMEWORK_FILE
    )
    await SurveyService(settings).upload(
        hr,
        unit_id=ctx["units"][SERVICE_UNIT],
        filename=SKM_FILE,
        content=(DEMO_DATA / SKM_FILE).read_bytes(),
    )

    people = list(ctx["people"])
    ledger = LedgerService(settings)
    for index, number in zip(FRONT_OFFICE, range(31, 36), strict=True):
        body = {**_FRONT_OFFICE_TRAINING, "certificate_number": f"{number:03d}/PP/BPSDM-SB/X/2025"}
        await ledger.create(hr, people[index], msgspec.convert(body, LearningRecordCreate))

    start, end = _this_year_dates(2, 10, 1)
    bimtek = {
        "title": "Bimbingan Teknis Penyusunan Standar Pelayanan Publik",
        "organizer": "Ombudsman RI Perwakilan Sumatera Barat",
        "jenis_diklat": 8,
        "start_date": start,
        "end_date": end,
        "jp": "12",
        "certificate_number": "045/BIMTEK/ORI-SB/II",
    }
    await ledger.create(hr, people[1], msgspec.convert(bimtek, LearningRecordCreate))
    start, end = _this_year_dates(5, 20, 0)
    seminar = {
        "title": "Seminar Nasional Reformasi Birokrasi Tematik Pelayanan Publik",
        "organizer": "Kementerian PANRB",
        "jenis_diklat": 9,
        "start_date": start,
        "end_date": end,
        "jp": "4",
    }
    await ledger.create(hr, people[24], msgspec.convert(seminar, LearningRecordCreate))
    start, end = _this_year_dates(8, 4, 13)
    elearning = {
        "title": "E-learning Etika Pelayanan Publik",
        "organizer": "Lembaga Administrasi Negara",
        "jenis_diklat": 3,
        "klasikal": False,
        "start_date": start,
        "end_date": end,
        "minutes": 270,
        "note": "Sertifikat e-learning terlampir",
    }
    afrizal = Caller(
        user_id=users["participant"],
        username="participant",
        role="participant",
        person_id=people[0],
    )
    await ledger.create(afrizal, people[0], msgspec.convert(elearning, LearningRecordCreate))
