"""Summarise a py-spy `--format raw` profile: where a process spends its samples.

`python -m bench.profile_summary bench/results/<run>/profile-<name>.txt [--top 25]` prints the
functions with the largest inclusive and self share of the samples, and groups by library.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def _parse(path: Path) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    by_library: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_label(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        self_time[frames[-1]] += count
        by_library[_library(stack.split(";")[-1])] += count
    return inclusive, self_time, by_library, total


def _label(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    file = match["file"]
    short = file.split("site-packages/")[-1].split("/src/")[-1]
    return f"{match['func']} ({short})"


def _library(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    file = match["file"] if match else frame
    if "site-packages/" in file:
        return file.split("site-packages/")[-1].split("/")[0]
    if "/src/mercato/" in file:
        return "mercato." + file.split("/src/mercato/")[-1].split("/")[0]
    if "python3" in file:
        return "stdlib " + file.rsplit("/", 1)[-1]
    return file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    inclusive, self_time, by_library, total = _parse(args.profile)
    print(f"{args.profile.name}: {total} samples")
    for title, counter in (
        ("inclusive", inclusive),
        ("self", self_time),
        ("self, by library", by_library),
    ):
        print(f"\n-- {title}")
        for name, count in counter.most_common(args.top):
            print(f"{100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
