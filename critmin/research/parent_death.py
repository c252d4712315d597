"""Worker processes die with their parent: a killed `critmin batch` leaves no orphans behind.

On Linux the kernel sends the worker SIGKILL when its parent dies (`PR_SET_PDEATHSIG`);
elsewhere a watchdog thread exits the worker once its parent is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when `parent_pid` (its parent) ends."""
    if not (sys.platform.startswith("linux") and set_death_signal()):
        threading.Thread(target=watch, args=(parent_pid,), daemon=True, name="parent-watch").start()
    if os.getppid() != parent_pid:  # the parent died before the signal was set
        os._exit(1)


def set_death_signal() -> bool:
    """Ask the kernel for SIGKILL when the parent dies; False if that is not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch(parent_pid: int) -> None:
    """Exit as soon as the parent is gone (the process is re-parented)."""
    while os.getppid() == parent_pid:
        time.sleep(WATCH_INTERVAL_S)
    os._exit(1)
