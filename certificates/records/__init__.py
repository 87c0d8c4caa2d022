"""Issued certificates: lists, reads and downloads, and keeping their status true (revoke,
reinstate, re-issue, the expiring list)."""
