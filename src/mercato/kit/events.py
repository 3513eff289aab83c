"""Integration events between services: the envelope, its HTTP delivery and its receiving end.

A producer's outbox relay (kit.outbox) hands each event to an `HttpDelivery`, which POSTs the
envelope to the consumer's `/internal/events` with the service credential; any 2xx is the
acknowledgement, anything else (or no answer) is a failed attempt the relay retries with
backoff and finally dead-letters. The consumer mounts `event_receiver(...)`: it records the
event id in its inbox and runs the topic's handler in one transaction, so a redelivered event
answers 200 and changes nothing. Event payloads are the consumer's contract: a handler reads
the fields it needs from `payload`; the producer's schemas are never imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import require_service_token
from mercato.kit.deps import Session
from mercato.kit.errors import ValidationFailed
from mercato.kit.http import UpstreamClient
from mercato.kit.inbox import first_delivery
from mercato.kit.outbox import OutboxEvent
from mercato.kit.schemas import RequestModel

EVENTS_PATH = "/internal/events"


class EventEnvelope(RequestModel):
    id: str = Field(min_length=1, max_length=64)
    topic: str = Field(min_length=1, max_length=100)
    source: str = Field(default="", max_length=50)
    payload: dict[str, Any]


class EventDeliveryFailed(Exception):
    """The consumer answered something other than 2xx: the relay retries the event."""


class HttpDelivery:
    """The relay's `deliver`: POST each event to the consumer its topic is routed to.

    `routes` maps a topic, or a prefix ending in `.` (`"order."`), to the consumer's client;
    an event no route names raises, so it is retried and finally dead-lettered, visibly.
    """

    def __init__(self, source: str, routes: Mapping[str, UpstreamClient]) -> None:
        self.source = source
        self.routes = dict(routes)

    def consumer_for(self, topic: str) -> UpstreamClient:
        if topic in self.routes:
            return self.routes[topic]
        for prefix, client in self.routes.items():
            if prefix.endswith(".") and topic.startswith(prefix):
                return client
        raise EventDeliveryFailed(f"no consumer is configured for topic {topic!r}")

    async def __call__(self, event: OutboxEvent) -> None:
        client = self.consumer_for(event.topic)
        envelope = {
            "id": event.id,
            "topic": event.topic,
            "source": self.source,
            "payload": event.payload,
        }
        response = await client.request("POST", EVENTS_PATH, json=envelope)
        if not 200 <= response.status < 300:
            snippet = response.body[:300].decode(errors="replace")
            raise EventDeliveryFailed(f"{client.name} answered {response.status}: {snippet}")


Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]
"""Applies one event's effect in the receiving transaction (flush, never commit)."""


def event_receiver(handlers: Mapping[str, Handler], inbox: Table) -> APIRouter:
    """`POST /internal/events` for a consumer: each event id takes effect once.

    The answer is 200 `{"status": "handled" | "duplicate"}`; an unknown topic or a payload
    the handler refuses (it raises `ValidationFailed`) answers 422, which the producer's relay
    retries and then dead-letters, so a contract mismatch shows up instead of vanishing.
    """
    router = APIRouter(
        prefix=EVENTS_PATH,
        tags=["internal"],
        dependencies=[Depends(require_service_token)],
        include_in_schema=False,
    )

    @router.post("")
    async def receive_event(envelope: EventEnvelope, session: Session) -> dict[str, str]:
        handler = handlers.get(envelope.topic)
        if handler is None:
            raise ValidationFailed("topic", f"This service handles no {envelope.topic!r} events.")
        if not await first_delivery(session, inbox, envelope.id, envelope.topic):
            return {"status": "duplicate"}
        await handler(session, envelope.payload)
        return {"status": "handled"}

    return router
