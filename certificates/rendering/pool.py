"""The one render pool of this process, started on first use and stopped at shutdown.

Starting ``CertificateRenderer`` costs seconds (worker processes import WeasyPrint, register
fonts and render a warm-up certificate), so the web process keeps one for its whole life and
every job, preview and re-issue shares it. It is created lazily, in a thread (the start blocks),
the first time something needs it, so a server that never issues pays nothing; the app calls
``shutdown_renderer`` when it stops.

The settings come from the caller (the app's, a job's context, the CLI's): this module keeps
the running pool, not a configuration.

The pool's workers also sign: each builds the installation's ``Signer`` once
(``certificates.rendering.signer_config.get_signer(settings)``) and signs every PDF right after
rendering
it, which spreads the signing cost over every core and keeps the private key out of the web
process's request path. A BSrE signer (``LMS_SIGNER=bsre``) is remote: the workers render
unsigned and the issuing run has BSrE sign each PDF before storing it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable

from certificates.rendering.signer_config import get_signer, signer_setup
from certificates.rendering.signing import NullSigner, Signer
from certificates.rendering.workers import CertificateRenderer
from lms.config import Settings

LOGGER = logging.getLogger(__name__)

_LOCK = threading.Lock()
_RENDERER: CertificateRenderer | None = None
_SIGNED = False


def _signer_factory(settings: Settings) -> Callable[[], Signer] | None:
    setup = signer_setup(settings)  # in the parent first: a bad key fails here, not in a worker
    if isinstance(setup.signer, NullSigner) or setup.remote:
        # BSrE signs in the issuing run (certificates.issuing.remote_signing), after rendering.
        return None
    return functools.partial(get_signer, settings)


def _start(settings: Settings) -> CertificateRenderer:
    global _RENDERER, _SIGNED
    with _LOCK:
        if _RENDERER is None:
            factory = _signer_factory(settings)
            _RENDERER = CertificateRenderer(
                workers=settings.render_workers or None,
                signer_factory=factory,
                time_limit=settings.render_time_limit,
            )
            _SIGNED = factory is not None or signer_setup(settings).remote
            LOGGER.info(
                "certificate renderer started: %d workers, %s",
                _RENDERER.workers,
                "signing" if _SIGNED else "unsigned",
            )
        return _RENDERER


async def get_renderer(settings: Settings) -> CertificateRenderer:
    """The process's render pool, started on first call with ``settings`` (its worker count and
    signer), without blocking the event loop."""
    renderer = _RENDERER
    if renderer is not None:
        return renderer
    return await asyncio.to_thread(_start, settings)


def pdfs_are_signed() -> bool:
    """True when the running pool signs what it renders."""
    return _SIGNED


async def shutdown_renderer() -> None:
    """Stop the render pool (app shutdown); the next use starts a new one."""
    global _RENDERER
    with _LOCK:
        renderer, _RENDERER = _RENDERER, None
    if renderer is not None:
        await asyncio.to_thread(renderer.close)
