"""Issuing certificates: the request and its job, recipients, numbers, issuer profiles and the run
that renders, stores and records them."""
