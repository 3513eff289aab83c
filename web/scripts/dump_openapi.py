"""Write each service's OpenAPI document into web/src/api/openapi/ (`make web-api`).

The web client's types are generated from these files, so they are the services' own
documents, never a hand-copied description of them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mercato.kit.settings import SERVICES


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        module = __import__(f"mercato.{service}.app", fromlist=["create_app"])
        document = module.create_app().openapi()
        # Browsers reach only what the gateway routes: never `/internal/`.
        document["paths"] = {
            path: item
            for path, item in document["paths"].items()
            if not path.startswith("/internal/")
        }
        target = out / f"{service}.json"
        target.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
