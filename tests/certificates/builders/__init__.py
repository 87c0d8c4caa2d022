"""Builders of the certificates tests: a finalized session with results, issuer profiles, issued
certificates."""
