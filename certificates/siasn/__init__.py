"""Certificates sent to SIASN (BKN) as riwayat kursus, with their PDF as the document."""
