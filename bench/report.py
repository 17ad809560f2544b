"""The results table: rows, the stdout rendering, and the README section between the bench markers."""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"
HEADERS = ("Metric", "Ours", "Baseline", "Ratio", "Budget", "Verdict")


@dataclass(frozen=True, slots=True)
class Row:
    metric: str
    ours: str
    baseline: str
    ratio: str
    budget: str
    verdict: str  # "within", "OVER", or "-" when there is no budget

    def cells(self) -> tuple[str, ...]:
        return (self.metric, self.ours, self.baseline, self.ratio, self.budget, self.verdict)


def verdict(ok: bool) -> str:
    return "within" if ok else "OVER"


def machine() -> str:
    """One line: CPUs usable by this process (what ``nproc`` prints), CPU model, OS, Python."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc {nproc}, {cpu} ({platform.machine()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def text_table(rows: list[Row]) -> str:
    table = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: list[Row]) -> str:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(HEADERS), line(tuple("---" for _ in HEADERS)), *(line(r.cells()) for r in rows)])


def markdown_section(rows: list[Row], notes: list[str], when: str, where: str) -> str:
    bullets = "\n".join(f"- {note}" for note in notes)
    return (
        f"Last `make bench`: {when} on {where}.\n\n"
        f"{markdown_table(rows)}\n\n"
        "How each figure is measured (every ratio is ours / a baseline measured in the same run; budgets\n"
        "are from DESIGN.md and reported, never asserted):\n\n"
        f"{bullets}\n"
    )


def write_readme(readme: Path, section: str) -> bool:
    """Replace what is between the bench markers; returns False (and changes nothing) without them."""
    try:
        text = readme.read_text()
    except OSError:
        return False
    pattern = re.compile(re.escape(START_MARKER) + r".*?" + re.escape(END_MARKER), re.DOTALL)
    if not pattern.search(text):
        return False
    replacement = f"{START_MARKER}\n{section}{END_MARKER}"
    readme.write_text(pattern.sub(lambda _: replacement, text, count=1))
    return True
