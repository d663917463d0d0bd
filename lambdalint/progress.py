"""A progress line on standard error for long runs on a terminal: which stage the run is in
(files found, files loaded, functions checked) and for how long. It appears only once a run
has taken longer than `DELAY` (a one-function project never shows it), redraws itself a few
times a second from a background thread, and erases itself before the report is printed."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DELAY = 0.5  # seconds before the line first appears
INTERVAL = 0.1
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_CLEAR = "\r\x1b[K"


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None, delay: float = DELAY) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self._label = ""
        self._start = time.monotonic()
        self._shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        """Show `label` while the block runs."""
        if not self.enabled:
            yield
            return
        with self._lock:
            self._label = label
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lambdalint-progress")
            self._thread.daemon = True
            self._thread.start()
        yield

    def close(self) -> None:
        """Stop drawing and erase the line (before anything else is printed)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        if self._shown:
            self._write(_CLEAR)

    def _run(self) -> None:
        frame = 0
        while not self._stop.wait(INTERVAL):
            elapsed = time.monotonic() - self._start
            if elapsed < self.delay:
                continue
            with self._lock:
                label = self._label
            self._write(
                f"{_CLEAR}{SPINNER[frame % len(SPINNER)]} lambdalint: {label} {elapsed:.1f}s"
            )
            self._shown = True
            frame += 1

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal: no progress, no failure
            self.enabled = False
            self._stop.set()
