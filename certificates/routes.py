"""Routers of the ``certificates`` app, mounted by ``lms.app.create_app``.

Service providers live on the Router (not the Controllers) so a test can swap one.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from certificates.badges.controllers import (
    BadgeStatusController,
    BadgeVerifyController,
    CertificateBadgeController,
    IssuerDidController,
    PublicBadgeController,
)
from certificates.badges.service import BadgeService
from certificates.issuing import events as issuing_events
from certificates.issuing.controllers import (
    IssuerProfileController,
    SessionCertificateController,
    TemplateController,
)
from certificates.issuing.issuer_profiles import IssuerProfileService, letterhead_for
from certificates.issuing.job import IssuingService
from certificates.issuing.templates import TemplateService
from certificates.records.controllers import (
    CertificateController,
    CertificateTrustController,
    SessionDownloadController,
)
from certificates.records.downloads import DownloadService
from certificates.records.pages import PAGES as RECORD_PAGES
from certificates.records.service import CertificateRecords
from certificates.records.trust import TrustService
from certificates.rendering.storage import store_for
from certificates.siasn.controllers import SiasnController
from certificates.siasn.pages import PAGES as SIASN_PAGES
from certificates.siasn.service import SiasnPushService, after_issue
from certificates.verification.controllers import (
    SERVICE_OPT,
    HrVerifyController,
    VerifyApiController,
    hr_authentication,
)
from certificates.verification.page import VerifyPageController
from certificates.verification.pages import (
    certificates_panel,
    check_page,
    hr_verify_batch,
    hr_verify_page,
    my_certificate_pdf,
    my_certificates_page,
)
from certificates.verification.rate_limit import verify_rate_limit
from certificates.verification.service import VerificationService
from courses.results.results import ResultService
from lms.config import Settings
from lms.shared.letterhead import Letterhead, LetterheadSource
from lms.web.home import HomePanel
from lms.web.routes import settings_provider
from lms.web.shell import page_router


def issuing_router(settings: Settings) -> Router:
    """Issuing, lists, downloads, templates and issuer profiles."""
    store = store_for(settings)

    def provide_issuing() -> IssuingService:
        return IssuingService(settings)

    letterhead = letterhead_source(settings)

    def provide_records() -> CertificateRecords:
        return CertificateRecords(settings, letterhead)

    def provide_downloads() -> DownloadService:
        return DownloadService(store, settings.timezone)

    def provide_templates() -> TemplateService:
        return TemplateService(settings)

    def provide_profiles() -> IssuerProfileService:
        return IssuerProfileService(settings, store)

    return Router(
        path="/",
        route_handlers=[
            SessionCertificateController,
            SessionDownloadController,
            CertificateController,
            TemplateController,
            IssuerProfileController,
        ],
        dependencies={
            "issuing_service": Provide(provide_issuing, sync_to_thread=False),
            "certificate_records": Provide(provide_records, sync_to_thread=False),
            "download_service": Provide(provide_downloads, sync_to_thread=False),
            "template_service": Provide(provide_templates, sync_to_thread=False),
            "issuer_profile_service": Provide(provide_profiles, sync_to_thread=False),
        },
    )


def badge_router(settings: Settings, badges: BadgeService) -> Router:
    """Open Badges: the issuer's DID document, the status list, the holder's download."""
    return Router(
        path="/",
        route_handlers=[IssuerDidController, BadgeStatusController, CertificateBadgeController],
        dependencies={
            "badge_service": Provide(lambda: badges, use_cache=True, sync_to_thread=False)
        },
    )


def verification_routers(settings: Settings, badges: BadgeService | None = None) -> list[Router]:
    """The public page and JSON (rate limited per address), HR's checks, and trust changes."""
    badges = badges or BadgeService(settings)
    verification = VerificationService(settings.public_base_url, settings.timezone)
    trust = TrustService(settings)
    provide_verification = Provide(lambda: verification, use_cache=True, sync_to_thread=False)
    return [
        Router(
            path="/",
            route_handlers=[
                VerifyPageController,
                VerifyApiController,
                PublicBadgeController,
                BadgeVerifyController,
            ],
            dependencies={
                "verification_service": provide_verification,
                "badge_service": Provide(lambda: badges, use_cache=True, sync_to_thread=False),
            },
            middleware=[verify_rate_limit(settings).middleware],
            opt={SERVICE_OPT: verification},
        ),
        Router(
            path="/",
            route_handlers=[HrVerifyController, CertificateTrustController],
            dependencies={
                "verification_service": provide_verification,
                "trust_service": Provide(lambda: trust, use_cache=True, sync_to_thread=False),
                "settings": settings_provider(settings),
            },
            middleware=[hr_authentication(settings)],
        ),
    ]


def page_routers(settings: Settings) -> list[Router]:
    """The "cek sertifikat" form (rate limited like the verify page), the holder's PDF, and
    HR's check page (one typed, or a file of many)."""
    store = store_for(settings)
    verification = VerificationService(settings.public_base_url, settings.timezone)
    return [
        page_router(settings, [check_page], middleware=[verify_rate_limit(settings).middleware]),
        page_router(
            settings,
            [my_certificate_pdf, my_certificates_page],
            dependencies={
                "download_service": Provide(
                    lambda: DownloadService(store), use_cache=True, sync_to_thread=False
                ),
                "settings": settings_provider(settings),
            },
        ),
        page_router(
            settings,
            [hr_verify_page, hr_verify_batch],
            dependencies={
                "verification_service": Provide(
                    lambda: verification, use_cache=True, sync_to_thread=False
                ),
                "settings": settings_provider(settings),
            },
        ),
    ]


def organizer_pages(settings: Settings) -> Router:
    """The organizer's certificate page of a session: issue with progress, downloads, revoke
    and re-issue."""
    store = store_for(settings)
    trust = TrustService(settings)
    letterhead = letterhead_source(settings)
    return page_router(
        settings,
        RECORD_PAGES,
        dependencies={
            "issuing_service": Provide(lambda: IssuingService(settings), sync_to_thread=False),
            "certificate_records": Provide(
                lambda: CertificateRecords(settings, letterhead), sync_to_thread=False
            ),
            "download_service": Provide(
                lambda: DownloadService(store, settings.timezone), sync_to_thread=False
            ),
            "trust_service": Provide(lambda: trust, use_cache=True, sync_to_thread=False),
            "result_service": Provide(lambda: ResultService(letterhead), sync_to_thread=False),
        },
    )


def siasn_routers(settings: Settings) -> list[Router]:
    """Certificates to SIASN: HR's API and page; issued certificates are queued by the
    issuing job's listener."""
    issuing_events.on_issued("siasn", after_issue)
    provide = Provide(lambda: SiasnPushService(settings), sync_to_thread=False)
    return [
        Router(
            path="/",
            route_handlers=[SiasnController],
            dependencies={"siasn_push_service": provide},
        ),
        page_router(
            settings,
            SIASN_PAGES,
            dependencies={
                "siasn_push_service": provide,
                "settings": settings_provider(settings),
            },
        ),
    ]


def home_panels(settings: Settings) -> list[HomePanel]:
    """This app's sections of a person's home page (``/saya``)."""
    return [certificates_panel(settings)]


def letterhead_source(settings: Settings) -> LetterheadSource:
    """The issuer profiles as the letterhead of other apps' paperwork (the daftar hadir)."""
    store = store_for(settings)

    async def lookup(unit_path: str) -> Letterhead | None:
        return await letterhead_for(unit_path, store)

    return lookup


def build_routers(settings: Settings) -> list[Router]:
    """Every router of this app."""
    badges = BadgeService(settings)
    return [
        issuing_router(settings),
        badge_router(settings, badges),
        *verification_routers(settings, badges),
        *page_routers(settings),
        organizer_pages(settings),
        *siasn_routers(settings),
    ]
