"""The "Add to LinkedIn profile" link of a certificate (LinkedIn's add-certification form).

LinkedIn does not read Open Badges: its form takes the certification's name, the issuing
organization, the issue and expiry month, the credential id and a URL, and the URL we give is
the public verify page, which anyone can open to check the certificate (and download the
signed credential from).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

ADD_URL = "https://www.linkedin.com/profile/add"


def add_to_profile_url(
    *,
    name: str,
    organization: str,
    issued_on: dt.date,
    valid_until: dt.date | None,
    number: str,
    verify_url: str,
) -> str:
    """The prefilled "add licence or certification" link."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organization,
        "issueYear": str(issued_on.year),
        "issueMonth": str(issued_on.month),
    }
    if valid_until is not None:
        params["expirationYear"] = str(valid_until.year)
        params["expirationMonth"] = str(valid_until.month)
    params["certUrl"] = verify_url
    params["certId"] = number
    return f"{ADD_URL}?{urlencode(params)}"
