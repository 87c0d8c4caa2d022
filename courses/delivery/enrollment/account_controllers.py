"""``POST /api/v1/sessions/{id}/accounts``: logins for a whole class in one call.

The answer carries each initial password once: as JSON, or (``?format=pdf``) the sheet of
slips to cut and hand out, or (``?format=xlsx``) the same as a table, rendered from the answer
in the same request. Nothing keeps the passwords afterwards: call again and the people who now
have an account are skipped.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from litestar import Controller, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from courses.delivery.enrollment.accounts import create_class_accounts
from lms.auth.accounts import AccountsCreated, AccountService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.auth.slips import PDF_MEDIA_TYPE, XLSX_MEDIA_TYPE, file_name, slips_pdf, slips_xlsx
from lms.shared.openapi import problem_responses

NO_STORE = CacheControlHeader(no_store=True)


class SessionAccountController(Controller):
    """Class accounts for organizers of the session's unit (and the admin)."""

    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["users"]
    guards = [allow("organizer")]

    @post(
        "/accounts",
        operation_id="createSessionAccounts",
        status_code=201,
        cache_control=NO_STORE,
        responses=problem_responses(403, 404),
    )
    async def create(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        account_service: NamedDependency[AccountService],
        format: FromQuery[Literal["json", "pdf", "xlsx"]] = "json",
    ) -> AccountsCreated | Response[bytes]:
        """Make a participant account (username = NIP, a one-time initial password, to be
        changed at first login) for every enrolled person without one; people with an account
        are skipped and listed. ``format=pdf|xlsx`` answers the slips instead of JSON."""
        result = await create_class_accounts(account_service, request.user, session_id)
        if format == "json":
            return result
        if format == "pdf":
            content = await slips_pdf(result.title, result.login_url, result.created)
            media = PDF_MEDIA_TYPE
        else:
            content = slips_xlsx(result.title, result.login_url, result.created)
            media = XLSX_MEDIA_TYPE
        return Response(
            content,
            media_type=media,
            status_code=201,
            headers={
                "Content-Disposition": f'attachment; filename="{file_name(result.title, format)}"',
                "X-Accounts-Created": str(len(result.created)),
                "X-Accounts-Skipped": str(len(result.skipped)),
            },
        )
