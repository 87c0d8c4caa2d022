"""Attendance: marks per day, check-in with a rotating code, summaries and the sign-in sheet PDF."""
