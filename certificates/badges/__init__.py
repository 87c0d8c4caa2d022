"""Open Badges 3.0: each issued certificate as a signed OpenBadgeCredential (W3C VC 2.0)."""
