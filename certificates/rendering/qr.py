"""QR codes: they live in :mod:`lms.shared.qr` (transcripts print them too)."""

from lms.shared.qr import ERROR_CORRECTION, QUIET_ZONE, make_qr, qr_data_uri, qr_svg

__all__ = ["ERROR_CORRECTION", "QUIET_ZONE", "make_qr", "qr_data_uri", "qr_svg"]
