"""`GET /health` on the gateway: every configured service's own `/health`, asked at once."""

from __future__ import annotations

import asyncio
import json
import time

from mercato.kit.errors import MercatoError
from mercato.kit.http import UpstreamClient
from mercato.kit.settings import Settings

# Health must answer fast even when a service hangs: a load balancer is waiting on it.
HEALTH_TIMEOUT_SECONDS = 2.0


class HealthAggregator:
    def __init__(self, settings: Settings) -> None:
        timeout = min(HEALTH_TIMEOUT_SECONDS, settings.upstream_timeout_seconds)
        self.clients = {
            name: UpstreamClient(
                name,
                settings.service_url(name),
                timeout=timeout,
                connect_timeout=min(settings.connect_timeout_seconds, timeout),
                pool_size=4,
                attempts=1,
            )
            for name in settings.gateway_services
        }

    async def start(self) -> None:
        for client in self.clients.values():
            await client.start()

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()

    async def report(self) -> tuple[int, bytes]:
        """The status code and JSON body: 200 when every service is up, else 503."""
        names = list(self.clients)
        results = await asyncio.gather(*(self._probe(name) for name in names))
        services = dict(zip(names, results, strict=True))
        healthy = all(result["status"] == "ok" for result in services.values())
        body = {"status": "ok" if healthy else "degraded", "services": services}
        return (200 if healthy else 503), json.dumps(body, separators=(",", ":")).encode()

    async def _probe(self, name: str) -> dict[str, object]:
        started = time.perf_counter()
        try:
            response = await self.clients[name].request("GET", "/health")
            status = "ok" if response.status == 200 else "down"
        except MercatoError:  # unreachable (503) or too slow (504)
            status = "down"
        latency = round((time.perf_counter() - started) * 1000, 2)
        return {"status": status, "latency_ms": latency}
