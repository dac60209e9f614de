"""The background boto3 worker: runs blocking service calls in threads, caches reads, fans out over regions.

Everything here is asyncio-side; the service functions it calls (``ec2tui.aws``) are plain synchronous boto3.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar, cast

from aiocache import SimpleMemoryCache

from ec2tui.aws.clients import ClientFactory
from ec2tui.aws.errors import translate
from ec2tui.diagnostics import log
from ec2tui.errors import Ec2TuiError, ReadOnlyError
from ec2tui.gateway.disk_cache import Codec, DiskCache

T = TypeVar("T")

GLOBAL = "global"
"""Pseudo-region for results that do not depend on the region (the region list, the caller identity)."""

UNGATED_KINDS = frozenset({"regions", "identity", "identity-alias"})
"""Cached reads that never wait for ``ready`` (the demo's seeding): the region list and the caller identity are
the backend's own, there before any data is, so the first screen fills while the demo is still being seeded."""


@dataclass(frozen=True)
class RegionResult(Generic[T]):
    """One region's answer in a fan-out: either ``value`` or ``error``."""

    region: str
    value: T | None = None
    error: Ec2TuiError | None = None


class GatewayCore:
    """Runs service calls off the event loop, memoizes reads with aiocache, refuses mutations when read-only."""

    def __init__(
        self,
        factory: ClientFactory,
        *,
        read_only: bool = False,
        ttl: float = 60.0,
        max_workers: int = 32,
        ready: Callable[[], object] | None = None,
        disk: DiskCache | None = None,
    ) -> None:
        self.factory = factory
        self.disk = disk
        """Where reads made with ``persist=`` outlive the process (None: memory only)."""
        self._background: set[asyncio.Future[Any]] = set()
        factory.read_only = read_only  # its clients' hooks refuse changes too: nothing can slip past this gateway
        self.ttl = ttl
        self._ready = ready
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ec2tui-aws")
        self._max_workers = max_workers
        self._workers_go = threading.Event()
        threading.Thread(target=self._start_workers, name="ec2tui-aws-start", daemon=True).start()
        self._cache = SimpleMemoryCache()
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._generation = 0
        """Bumped by every invalidation: a load that started before one does not fill the cache."""
        self.calls: Counter[str] = Counter()
        """How many service calls each cached read made (misses of both caches), by kind: used by tests and bench."""
        self._calls_lock = threading.Lock()
        self._running = 0
        self._running_lock = threading.Lock()
        self.mutations = 0
        """State-changing calls that went out (the demo asks before quitting once the user has made something)."""

    def _start_workers(self) -> None:
        """Start the worker threads now, from this thread of its own, so that none is started on the event loop.

        ``run_in_executor`` starts a thread when none is idle, and ``Thread.start`` waits until the new thread runs:
        behind busy threads, that is a wait for the interpreter. The regions screen's 24 counts started 24 threads at
        once and held the event loop 60-80 ms (measured, headless and seeded). Each task sent here waits until all
        are sent, so that each finds no idle thread and starts one; a call sent meanwhile gets a thread of its own
        (or, with all of them started, waits the few milliseconds until they are released). Idle, they cost next to
        nothing.
        """
        go = self._workers_go
        with contextlib.suppress(RuntimeError):  # closed meanwhile: the pool takes no more tasks
            for _ in range(self._max_workers):
                self._executor.submit(go.wait, 10)
        go.set()

    @property
    def read_only(self) -> bool:
        return self.factory.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self.factory.read_only = value

    # -- running --------------------------------------------------------------------------------------------
    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking function in a worker thread; boto3 errors come back as :class:`AwsError`."""
        return await self._run(partial(fn, *args, **kwargs), gated=True)

    async def _run(self, call: Callable[[], T], *, gated: bool) -> T:
        loop = asyncio.get_running_loop()
        if gated and self._ready is not None:
            call = partial(_after, self._ready, call)
        try:
            return await loop.run_in_executor(self._executor, self._counted, call)
        except Ec2TuiError:
            raise
        except Exception as exc:
            raise translate(exc, context=self.factory.credential_context) from exc

    def _counted(self, call: Callable[[], T]) -> T:
        with self._running_lock:
            self._running += 1
        try:
            return call()
        finally:
            with self._running_lock:
                self._running -= 1

    @property
    def busy(self) -> bool:
        """Whether a call is running in a worker thread right now (threads cannot be interrupted)."""
        return self._running > 0

    @property
    def home_region(self) -> str:
        """The profile's own region (--region, AWS_REGION, the profile's setting): where region-less calls go
        (the region list, the caller identity). Never the app's current region: the app passes that per call."""
        return self.factory.default_region

    @staticmethod
    def region_of(region: str | None) -> str:
        """The region a call was given; there is no implicit "current region" here (the app owns it)."""
        if not region:
            raise TypeError("a gateway call needs an explicit region")
        return region

    def _namespace(self, region: str) -> str:
        target = self.factory.target
        return f"{target.profile or '-'}@{target.endpoint_url or 'aws'}/{region}/"

    async def cached(
        self,
        kind: str,
        key: Hashable,
        loader: Callable[[], T],
        *,
        region: str,
        refresh: bool = False,
        ttl: float | None = None,
        persist: Codec[T] | None = None,
        revalidate: Callable[[T], object] | None = None,
    ) -> T:
        """Return the cached value for (region, kind, key), or run ``loader`` in a thread and cache it.

        ``refresh=True`` bypasses the cache (and overwrites it). Concurrent identical reads share one call, and a
        load outlives the caller that started it: a screen that is left mid-load (its worker cancelled) does not
        throw the answer away, so coming back joins the same call instead of asking AWS again.

        ``persist`` (a codec) keeps the answer on disk too (:attr:`disk`), for later runs: a stored answer is used
        without asking AWS; once older than the disk cache's TTL it is still used, and a fresh one is fetched in
        the background to replace it. With ``revalidate`` as well, a stored answer of any age is used at once and
        always fetched afresh in the background; ``revalidate`` gets the fresh answer (on the event loop) when it
        differs from the stored one.
        """
        cache_key = f"{self._namespace(region)}{kind}:{key!r}"
        if not refresh:
            hit = await self._cache.get(cache_key, default=_MISS)
            if hit is not _MISS:
                return cast(T, hit)  # the cache holds what the loader for this key returned
            pending = self._inflight.get(cache_key)
            if pending is not None:
                return await asyncio.shield(pending)
        if persist is not None and self.disk is not None:
            loader = self._persisting(
                region, kind, key, loader, persist, use_stored=not refresh, ttl=ttl, revalidate=revalidate
            )
        task = asyncio.ensure_future(self._load(cache_key, kind, loader, ttl))
        self._inflight[cache_key] = task
        task.add_done_callback(partial(self._loaded, cache_key))
        return await asyncio.shield(task)

    async def _load(self, cache_key: str, kind: str, loader: Callable[[], T], ttl: float | None) -> T:
        generation = self._generation
        if isinstance(loader, _SelfManaged):  # it counts its service calls and waits for ``ready`` itself
            value = await self._run(loader, gated=False)
        else:
            self._count(kind)
            value = await self._run(loader, gated=kind not in UNGATED_KINDS)
        if generation == self._generation:  # an invalidation meanwhile means this answer may predate the change
            await self._cache.set(cache_key, value, ttl=ttl if ttl is not None else self.ttl)
        return cast(T, value)

    def _persisting(
        self,
        region: str,
        kind: str,
        key: Hashable,
        loader: Callable[[], T],
        codec: Codec[T],
        *,
        use_stored: bool,
        ttl: float | None,
        revalidate: Callable[[T], object] | None = None,
    ) -> Callable[[], T]:
        """``loader`` with the disk in front (a stored answer) and behind (the new answer is stored). Runs in a
        worker thread, like the loader."""
        disk = self.disk
        assert disk is not None
        loop = asyncio.get_running_loop()

        def fetch_and_store() -> T:
            self._count(kind)
            value = loader() if kind in UNGATED_KINDS else self._ready_then(loader)
            disk.store(region, kind, key, codec, value)
            return value

        def load() -> T:
            entry = disk.load(region, kind, key, codec) if use_stored else None
            if entry is None:
                return fetch_and_store()
            if entry.expired or revalidate is not None:
                # Used now; the fresh answer replaces it on disk and in memory once it arrives.
                changed = None if revalidate is None else partial(_when_changed, entry.value, revalidate)
                loop.call_soon_threadsafe(self._refresh_in_background, region, kind, key, fetch_and_store, ttl, changed)
            return entry.value

        return _SelfManaged(load)

    def _refresh_in_background(
        self,
        region: str,
        kind: str,
        key: Hashable,
        fetch: Callable[[], Any],
        ttl: float | None,
        then: Callable[[Any], object] | None = None,
    ) -> None:
        cache_key = f"{self._namespace(region)}{kind}:{key!r}"
        task = asyncio.ensure_future(self._load(cache_key, kind, _SelfManaged(fetch), ttl))
        self._background.add(task)
        task.add_done_callback(self._background_done)
        if then is not None:
            task.add_done_callback(partial(_then_if_answered, then))

    def _background_done(self, task: asyncio.Future[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:  # the stored answer stays in use
            log.warning("background refresh failed: %s", task.exception())

    def _count(self, kind: str) -> None:
        with self._calls_lock:
            self.calls[kind] += 1

    def _ready_then(self, call: Callable[[], T]) -> T:
        if self._ready is not None:
            self._ready()
        return call()

    def _loaded(self, cache_key: str, task: asyncio.Future[Any]) -> None:
        if self._inflight.get(cache_key) is task:
            del self._inflight[cache_key]
        if not task.cancelled():
            task.exception()  # retrieved here: when every caller has gone, nobody else would

    async def invalidate(self, region: str | None = None) -> None:
        """Forget cached reads for one region, or for everything (``region=None``)."""
        self._generation += 1
        if region is None:
            await self._cache.clear()
        else:
            await self._cache.clear(namespace=self._namespace(region))

    async def mutate(
        self,
        action: str,
        fn: Callable[..., T],
        /,
        *args: Any,
        invalidate: Iterable[str | None] = (),
        **kwargs: Any,
    ) -> T:
        """Run a state-changing call: refused in read-only mode; invalidates the given regions afterwards."""
        if self.read_only:
            raise ReadOnlyError(action)
        self.mutations += 1
        try:
            return await self.run(fn, *args, **kwargs)
        finally:
            for region in invalidate:
                await self.invalidate(region)

    async def fan_out(
        self, regions: Iterable[str], call: Callable[[str], Awaitable[T]]
    ) -> AsyncIterator[RegionResult[T]]:
        """Run ``call(region)`` for every region concurrently; yield each answer as it arrives."""

        async def one(region: str) -> RegionResult[T]:
            try:
                return RegionResult(region, value=await call(region))
            except Ec2TuiError as exc:
                return RegionResult(region, error=exc)

        for next_done in asyncio.as_completed([one(r) for r in regions]):
            yield await next_done

    def close(self) -> None:
        for task in [*self._inflight.values(), *self._background]:
            with contextlib.suppress(RuntimeError):  # its loop may be closed already
                task.cancel()
        self._workers_go.set()  # threads still waiting for their siblings go back to the pool, which ends them
        self._executor.shutdown(wait=False, cancel_futures=True)


def on_event_loop(callback: Callable[[T], object]) -> Callable[[T], None]:
    """``callback``, made callable from worker threads: each call runs it on the event loop running now (dropped once
    that loop has closed: the app quit mid-load, nobody is left to tell)."""
    loop = asyncio.get_running_loop()

    def call(value: T) -> None:
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(callback, value)

    return call


def _then_if_answered(then: Callable[[Any], object], task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is None:
        then(task.result())


def _when_changed(stored: T, then: Callable[[T], object], fresh: T) -> None:
    if fresh != stored:
        then(fresh)


def _after(ready: Callable[[], object], call: Callable[[], T]) -> T:
    """Wait (in the worker thread) until the backend is ready, e.g. the demo data is seeded."""
    ready()
    return call()


class _SelfManaged(Generic[T]):
    """A loader that counts its own service calls and waits for ``ready`` itself, only when it calls the service
    (an answer stored on disk needs neither)."""

    def __init__(self, call: Callable[[], T]) -> None:
        self.call = call

    def __call__(self) -> T:
        return self.call()


class _Miss:
    def __repr__(self) -> str:
        return "<miss>"


_MISS = _Miss()
