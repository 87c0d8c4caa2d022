"""Enrollment: adding, importing, self-enrolling, withdrawing, approving, and who takes part."""
