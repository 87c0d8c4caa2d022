"""The problem statuses each kind of courses route documents in OpenAPI.

Litestar documents only the default 400; these lists name the RFC 9457 problems a route can
really answer (see ``lms.shared.openapi.problem_responses``), so clients and the fuzz test read
a true contract.
"""

LIST = (400, 401, 403)
"""Lists: bad query, no token, role not allowed."""

READ = (400, 401, 403, 404)
"""One object or a report: also unknown or out of scope."""

WRITE = (400, 401, 403, 404, 409, 422)
"""Changes: also conflicts (duplicates, clashes, frozen results) and broken rules."""

UPLOAD = (400, 401, 403, 404, 409, 413, 422)
"""Imports: also a file above the size or row limit."""

CHECKIN = (400, 401, 403, 404, 409, 422, 429)
"""Check-in: also too many wrong codes."""

SHEET = (400, 401, 403, 404, 422)
"""The sign-in sheet PDF: also a day outside the session."""
