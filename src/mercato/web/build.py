"""The storefront's production build (`npm run build` in `web/`): where it lives, and the
file of it a request names. Looked up on every request, so a build made while the server
runs is served at once, and a missing one never stops the server."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import mercato
from mercato.kit.settings import Settings

INDEX = "index.html"


def default_dist_dir() -> Path:
    """`web/dist` of the repository this package runs from (the editable install)."""
    return Path(mercato.__file__).resolve().parents[2] / "web" / "dist"


def dist_dir(settings: Settings) -> Path:
    return settings.web_dist or default_dist_dir()


@dataclass(frozen=True)
class BuiltFile:
    path: str
    stat: os.stat_result


class Build:
    """The files of one dist directory. Starlette's StaticFiles does the path handling:
    `..` resolved, nothing outside the directory, no symlink out of it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files = StaticFiles(directory=directory, check_dir=False)

    def is_built(self) -> bool:
        return (self.directory / INDEX).is_file()

    def relative_path(self, scope: Scope) -> str:
        """The request's path inside the build, normalised (`.` for the root)."""
        return self._files.get_path(scope)

    async def find(self, relative: str) -> BuiltFile | None:
        """The regular file at `relative` inside the build, if there is one."""
        try:
            path, found = await anyio.to_thread.run_sync(self._files.lookup_path, relative)
        except (OSError, ValueError):  # a name too long, a NUL, a directory we may not read
            return None
        if found is None or not stat.S_ISREG(found.st_mode):
            return None
        return BuiltFile(path, found)

    def response(self, file: BuiltFile, scope: Scope, cache_control: str) -> Response:
        """The file, or 304 when the browser's copy is current (ETag, Last-Modified)."""
        answer = self._files.file_response(file.path, file.stat, scope)
        answer.headers["cache-control"] = cache_control
        return answer
