"""The Content-Security-Policy of every storefront answer: the app's own scripts and styles,
and calls and images only to itself and the gateway. (The other security headers come
from the kit's ServiceMiddleware.)"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(api_origin: str) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # React and the browser set style attributes at run time.
        "style-src": "'self' 'unsafe-inline'",
        # Product pictures come from the gateway; small icons may be inlined as data: URLs.
        "img-src": f"'self' data: {api_origin}",
        "connect-src": f"'self' {api_origin}",
        "font-src": "'self'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


class ContentSecurityPolicy:
    """Adds the policy to every answer, the kit middleware's error answers included (it is
    installed outside that middleware)."""

    def __init__(self, app: ASGIApp, *, policy: str) -> None:
        self.app = app
        self.header = (b"content-security-policy", policy.encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        await self.app(scope, receive, send_with_policy)
