"""Bulk certificate rendering on a pool of long-lived worker processes.

WeasyPrint is pure CPU work holding the GIL, so a batch of 1,000 certificates is spread over
processes (one per core by default). The pool is started once and kept: each worker pays its
start-up (imports, font registration, stylesheet parse, a warm-up render) once, not per job.
Work is sent in chunks of a few certificates, so a chunk can be laid out in one WeasyPrint pass
(see ``certificates.rendering.engine``) and the IPC cost is spread over several PDFs.

Three ways in, all returning each certificate's own PDF:

- ``render_one`` / ``render_preview``: in this process, for a preview or a single re-issue;
- ``render_batch`` / ``iter_batch``: synchronous, for a job thread;
- ``render_many``: an async iterator for the event loop; it only awaits futures, never blocks.
"""

import asyncio
import concurrent.futures as cf
import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from types import FrameType
from typing import Any

import msgspec

from certificates.rendering.engine import (
    ENGINE_LOCK,
    RenderEngine,
    RenderError,
    local_engine,
)
from certificates.rendering.signing import Signer
from certificates.rendering.snapshot import CertificateSnapshot, sample_snapshot
from certificates.rendering.templating import TemplateError, TemplateSource, default_template

__all__ = [
    "CertificateRenderer",
    "ChunkResult",
    "RenderError",
    "TemplateError",
    "TemplateSource",
    "render_one",
    "render_preview",
    "validate_template",
]

LOGGER = logging.getLogger(__name__)

#: Certificates per task sent to a worker (and laid out together); 8 keeps both workers busy to
#: the end of a batch while sharing most of what batching saves (bench_certificates --variants).
DEFAULT_CHUNK_SIZE = 8
#: Seconds a worker may spend on one certificate (a chunk gets this times its size). A
#: certificate takes 0.1-0.6 s; a template that takes longer is refused, not waited for.
DEFAULT_TIME_LIMIT = 10.0
#: Seconds past a chunk's time limit after which the worker's watchdog ends the whole process
#: (the interruption did not get through, e.g. stuck in C code); the pool then restarts.
HARD_LIMIT_GRACE = 15.0


class ChunkResult(msgspec.Struct, frozen=True):
    """What a worker sends back for one chunk."""

    pid: int
    rss_bytes: int
    rendered_total: int
    cpu_seconds: float
    pdfs: list[bytes]


def render_one(template: TemplateSource, snapshot: CertificateSnapshot) -> bytes:
    """Render one certificate in the calling process (previews, single re-issues).

    Raises:
        TemplateError: the template cannot be compiled or filled.
        RenderError: WeasyPrint failed.
    """
    with ENGINE_LOCK:
        return local_engine().render(template, [snapshot])[0]


def render_preview(template: TemplateSource, snapshot: CertificateSnapshot | None = None) -> bytes:
    """Render a template with a sample (or given) snapshot, to show an organizer their edit."""
    return render_one(template, snapshot or sample_snapshot())


def validate_template(template: TemplateSource, snapshot: CertificateSnapshot | None = None) -> str:
    """Compile and fill a template without making a PDF; return the HTML or raise TemplateError."""
    with ENGINE_LOCK:
        return local_engine().render_html(template, snapshot or sample_snapshot())


# --- worker side -------------------------------------------------------------------------------

_WORKER: RenderEngine | None = None
_SIGNER: Signer | None = None
_TIME_LIMIT = DEFAULT_TIME_LIMIT
#: Monotonic time after which the watchdog ends this worker; 0 while idle.
_HARD_DEADLINE = 0.0
#: True while a chunk's time limit may interrupt the main thread.
_ARMED = False
_PR_SET_PDEATHSIG = 1


class _OutOfTime(BaseException):
    """Raised in a worker's main thread when a chunk passes its time limit.

    A BaseException so that the ``except Exception`` blocks inside WeasyPrint (image and font
    loading) cannot swallow it and carry on.
    """


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _ARMED:
        raise _OutOfTime


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the body after ``seconds`` (worker main thread only).

    The alarm repeats every 0.1 s until the body ends: an interruption that lands inside a
    callback from C (Pango calling Python) is swallowed there, the next one gets through.
    """
    global _ARMED, _HARD_DEADLINE
    _HARD_DEADLINE = time.monotonic() + seconds + HARD_LIMIT_GRACE
    _ARMED = True
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        _ARMED = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        _HARD_DEADLINE = 0.0


def _end_with_parent(owner_pid: int) -> None:
    """Make this worker exit when the process that started the pool is gone.

    Without this a killed server (``kill -9``, the OOM killer) leaves its workers, ~300 MB
    each, waiting forever for work. On Linux the kernel sends SIGKILL when the worker's parent
    (the forkserver, which itself exits when the server does) dies; a watchdog thread also
    checks once a second that the parent and the server are still there, for other systems
    and for the moment between the fork and ``prctl``. The same thread ends a worker whose
    chunk ran ``HARD_LIMIT_GRACE`` seconds past its time limit without being interrupted.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the watchdog alone
            LOGGER.warning("prctl(PR_SET_PDEATHSIG) unavailable; relying on the watchdog")
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent or not _alive(owner_pid):
                os._exit(1)
            if _HARD_DEADLINE and time.monotonic() > _HARD_DEADLINE:
                LOGGER.error("a certificate chunk ignored its time limit; ending the worker")
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _init_worker(
    chunk_size: int,
    warm_up: bool,
    signer_factory: Callable[[], Signer] | None,
    owner_pid: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> None:
    global _WORKER, _SIGNER, _TIME_LIMIT
    if owner_pid is not None:
        _end_with_parent(owner_pid)
    _TIME_LIMIT = time_limit
    signal.signal(signal.SIGALRM, _on_alarm)
    _WORKER = RenderEngine(batch_size=chunk_size)
    _SIGNER = signer_factory() if signer_factory is not None else None
    if warm_up:
        # Register the bundled fonts, fill Pango's caches and import lazily loaded modules now,
        # so the first certificate of the first job is not the slow one.
        pdfs = _WORKER.render(default_template(), [sample_snapshot(), sample_snapshot()])
        if _SIGNER is not None:
            _SIGNER.sign(pdfs[0])
        _WORKER.rendered = 0
    # Everything alive now lives as long as the worker: move it out of the collector's way so
    # a full collection only walks the garbage of recent renders.
    gc.collect()
    gc.freeze()


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # not Linux: RSS is informative only
        return 0


def _render_chunk(template: TemplateSource, snapshots: list[CertificateSnapshot]) -> ChunkResult:
    global _WORKER
    assert _WORKER is not None, "worker not initialised"
    began = time.process_time()
    limit = _TIME_LIMIT * len(snapshots)
    try:
        with _time_limit(limit):
            pdfs = _WORKER.render(template, snapshots)
    except _OutOfTime:
        # Interrupted anywhere inside WeasyPrint: start from a fresh engine (new font
        # configuration and caches) rather than trust what it was doing.
        _WORKER = RenderEngine(batch_size=_WORKER.batch_size)
        gc.collect()
        raise TemplateError(
            f"Templat terlalu berat: membuat PDF melebihi batas {limit:g} detik"
            f" ({_TIME_LIMIT:g} detik per sertifikat)."
        ) from None
    if _SIGNER is not None:
        try:
            pdfs = [_SIGNER.sign(pdf) for pdf in pdfs]
        except Exception as exc:  # pyHanko raises many types; the worker must survive them.
            LOGGER.exception("certificate signing failed")
            raise RenderError(f"Gagal menandatangani PDF: {type(exc).__name__}: {exc}") from None
    cpu = time.process_time() - began
    return ChunkResult(os.getpid(), _rss_bytes(), _WORKER.rendered, cpu, pdfs)


# --- pool side ---------------------------------------------------------------------------------


class CertificateRenderer:
    """A pool of render worker processes, started once and reused by every job.

    Args:
        workers: processes to run; defaults to ``os.cpu_count()``.
        chunk_size: certificates per task (and per WeasyPrint document).
        warm_up: render a sample in each worker at start.
        time_limit: seconds a worker may spend per certificate; a chunk that takes longer
            fails with ``TemplateError`` and the worker carries on with a fresh engine.
        signer_factory: a picklable callable building the ``Signer`` each worker signs with,
            e.g. ``functools.partial(Pkcs12Signer, path, passphrase)``; signing in the workers
            spreads its cost (about a fifth of a render) over every core. ``None``: unsigned.

    Use as a context manager or call ``close()``; the web app starts one in its lifespan.
    Starting blocks for a few seconds (workers import WeasyPrint and warm up): from async code,
    construct it in a thread (``await anyio.to_thread.run_sync(CertificateRenderer)``).
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        warm_up: bool = True,
        signer_factory: Callable[[], Signer] | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk_size = max(1, chunk_size)
        self.time_limit = time_limit
        self._warm_up = warm_up
        self._signer_factory = signer_factory
        self._lock = threading.Lock()
        self._executor: cf.ProcessPoolExecutor | None = self._start()
        #: (pid, certificates rendered by that worker so far, its RSS in bytes, CPU seconds of
        #: the chunk) per chunk, for monitoring and benchmarks.
        self.samples: deque[tuple[int, int, int, float]] = deque(maxlen=100_000)

    def _start(self) -> cf.ProcessPoolExecutor:
        # forkserver: never fork a process that runs an event loop and threads; workers fork
        # from a clean server that already imported the renderer.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["certificates.rendering.workers"])
        executor = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(
                self.chunk_size,
                self._warm_up,
                self._signer_factory,
                os.getpid(),
                self.time_limit,
            ),
        )
        # Start every worker now, not on the first job.
        for future in [executor.submit(os.getpid) for _ in range(self.workers)]:
            future.result()
        return executor

    def __enter__(self) -> "CertificateRenderer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (pending chunks are cancelled)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def render_one(self, template: TemplateSource, snapshot: CertificateSnapshot) -> bytes:
        """Render one certificate in this process (see the module function ``render_one``)."""
        return render_one(template, snapshot)

    def _submit(self, template: TemplateSource, chunk: list[CertificateSnapshot]) -> cf.Future:
        with self._lock:
            if self._executor is None:
                raise RuntimeError("the certificate renderer is closed")
            try:
                return self._executor.submit(_render_chunk, template, chunk)
            except BrokenProcessPool:
                # A worker died while idle (e.g. killed by the OOM killer): nothing of this job
                # was lost yet, so start a fresh pool and carry on.
                self._restart_locked()
                return self._executor.submit(_render_chunk, template, chunk)

    def _restart_after_crash(self) -> None:
        with self._lock:
            self._restart_locked()

    def _restart_locked(self) -> None:
        # Another job may have restarted the pool already.
        if self._executor is not None and getattr(self._executor, "_broken", False):
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()

    def _unstick_if_a_worker_died(self) -> None:
        """Break the pool when a worker is dead but the executor has not noticed.

        Why: a worker killed while it was writing its result (the OOM killer, an operator's
        ``kill -9``) leaves half a message in the result pipe; CPython's executor manager thread
        then blocks in ``recv()`` forever and the job would hang instead of failing. The parent
        also holds the pipe's write end, so the read never ends. Killing the remaining workers
        and closing that write end turns the stuck read into end-of-file: the executor marks
        itself broken, the futures raise ``BrokenProcessPool`` and ``_result`` restarts the
        pool as for any crash.
        """
        with self._lock:
            executor = self._executor
            if executor is None or getattr(executor, "_broken", False):
                return
            processes = list((getattr(executor, "_processes", None) or {}).values())
            if not any(process.exitcode is not None for process in processes):
                return  # every worker is alive: a long chunk, not a crash
            LOGGER.warning("a certificate worker died mid-job; breaking the pool to restart it")
            for process in processes:
                if process.exitcode is None:
                    process.kill()
            for process in processes:
                process.join(5)
            writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
            if writer is not None:
                writer.close()

    def _chunks(
        self, snapshots: Sequence[CertificateSnapshot]
    ) -> list[tuple[int, list[CertificateSnapshot]]]:
        size = self.chunk_size
        return [(i, list(snapshots[i : i + size])) for i in range(0, len(snapshots), size)]

    def _record(self, result: ChunkResult) -> None:
        self.samples.append(
            (result.pid, result.rendered_total, result.rss_bytes, result.cpu_seconds)
        )

    def iter_batch(
        self, template: TemplateSource, snapshots: Sequence[CertificateSnapshot]
    ) -> Iterator[tuple[int, bytes]]:
        """Yield ``(index, pdf)`` as chunks finish (not necessarily in order); blocking.

        At most two chunks per worker are queued at a time, so a slow consumer (writing files,
        hashing) holds only a few PDFs in memory.

        Raises:
            TemplateError: the template cannot be compiled or filled.
            RenderError: WeasyPrint failed, or a worker process died (the pool is restarted).
        """
        pending_chunks = deque(self._chunks(snapshots))
        in_flight: dict[cf.Future, int] = {}
        try:
            while pending_chunks or in_flight:
                while pending_chunks and len(in_flight) < 2 * self.workers:
                    start, chunk = pending_chunks.popleft()
                    in_flight[self._submit(template, chunk)] = start
                done, _ = cf.wait(in_flight, timeout=2.0, return_when=cf.FIRST_COMPLETED)
                if not done:
                    self._unstick_if_a_worker_died()
                    continue
                for future in done:
                    start = in_flight.pop(future)
                    result = self._result(future)
                    self._record(result)
                    for offset, pdf in enumerate(result.pdfs):
                        yield start + offset, pdf
        finally:
            for future in in_flight:
                future.cancel()

    def render_batch(
        self, template: TemplateSource, snapshots: Sequence[CertificateSnapshot]
    ) -> list[bytes]:
        """Render every snapshot and return the PDFs in the snapshots' order."""
        pdfs: list[bytes | None] = [None] * len(snapshots)
        for index, pdf in self.iter_batch(template, snapshots):
            pdfs[index] = pdf
        return pdfs  # type: ignore[return-value]

    async def render_many(
        self, template: TemplateSource, snapshots: Sequence[CertificateSnapshot]
    ) -> AsyncIterator[tuple[int, bytes]]:
        """Async form of ``iter_batch``: yields ``(index, pdf)`` without blocking the loop."""
        pending_chunks = deque(self._chunks(snapshots))
        in_flight: dict[asyncio.Future, int] = {}
        try:
            while pending_chunks or in_flight:
                while pending_chunks and len(in_flight) < 2 * self.workers:
                    start, chunk = pending_chunks.popleft()
                    in_flight[asyncio.wrap_future(self._submit(template, chunk))] = start
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for future in done:
                    start = in_flight.pop(future)
                    result = self._result(future)
                    self._record(result)
                    for offset, pdf in enumerate(result.pdfs):
                        yield start + offset, pdf
        finally:
            for future in in_flight:
                future.cancel()

    def _result(self, future: Any) -> ChunkResult:
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart_after_crash()
            raise RenderError(
                "Proses pembuat PDF berhenti tiba-tiba; proses telah dimulai ulang, coba lagi."
            ) from None
