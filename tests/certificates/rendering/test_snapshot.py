import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from certificates.rendering.snapshot import decode_snapshot, encode_snapshot, sample_snapshot


def test_snapshot_round_trips_through_json():
    snapshot = sample_snapshot(jp=Decimal("7.5"))
    data = encode_snapshot(snapshot)
    assert decode_snapshot(data) == snapshot
    stored = msgspec.json.decode(data)
    assert stored["jp"] == "7.5"
    assert stored["start_date"] == "2026-11-20"
    assert stored["holder"]["nip_display"] == "19860926 201505 1 001"
    assert stored["modules"][0] == {"title": "Kebijakan Pelayanan Publik (UU 25/2009)", "jp": 3}


def test_snapshot_rejects_unknown_fields_and_bad_images():
    stored = msgspec.json.decode(encode_snapshot(sample_snapshot()))
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        decode_snapshot(msgspec.json.encode({**stored, "extra": 1}))
    with pytest.raises(msgspec.ValidationError, match="logo"):
        decode_snapshot(msgspec.json.encode({**stored, "logo": "file:///etc/passwd"}))
    ok = {**stored, "logo": "data:image/png;base64,iVBORw0KGgo="}
    assert decode_snapshot(msgspec.json.encode(ok)).logo == "data:image/png;base64,iVBORw0KGgo="


def test_snapshot_rejects_end_before_start():
    stored = msgspec.json.decode(encode_snapshot(sample_snapshot()))
    stored["end_date"] = "2026-11-01"
    with pytest.raises(msgspec.ValidationError, match="end_date"):
        decode_snapshot(msgspec.json.encode(stored))


def test_sample_snapshot_applies_changes():
    snapshot = sample_snapshot(
        "https://prima.padangpanjang.go.id/", valid_until=dt.date(2029, 11, 22)
    )
    assert snapshot.verify_url == "https://prima.padangpanjang.go.id/verify/K7QM-2XW9-RT4H-BP3N"
    assert snapshot.valid_until == dt.date(2029, 11, 22)
