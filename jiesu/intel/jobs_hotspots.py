"""The worker's hotspot snapshots (settings.WORKER_JOBS): one window of the hotspots page per run,
the one missing or oldest (`hotspots.snapshots`)."""

from __future__ import annotations

from datetime import datetime

from jiesu.intel.hotspots.snapshots import snapshot_refresh


def hotspots_job(now: datetime) -> int:
    """Hotspots stored (0 when every window was fresh)."""
    snapshot = snapshot_refresh(now)
    return len(snapshot.hotspots) if snapshot is not None else 0
