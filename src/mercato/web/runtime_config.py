"""`/config.js`: the storefront's runtime configuration, so that one build talks to
whichever gateway it is deployed beside."""

from __future__ import annotations

import json

from mercato.kit.settings import Settings

# Escaped so the script stays inert wherever it is pasted, even inline in HTML.
_HTML_SENSITIVE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def storefront_api_url(settings: Settings) -> str:
    """The gateway as browsers reach it."""
    return (settings.web_api_url or settings.gateway_url).rstrip("/")


def config_script(api_url: str) -> bytes:
    # ensure_ascii also escapes U+2028 and U+2029, which end a line in older JavaScript.
    config = json.dumps({"apiUrl": api_url}, ensure_ascii=True).translate(_HTML_SENSITIVE)
    return f"window.MERCATO_CONFIG = {config};\n".encode()
