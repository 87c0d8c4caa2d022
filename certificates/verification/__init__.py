"""Checking a certificate: the public page and its JSON twin, HR's batch and PDF checks, and the
per-address rate limit."""
