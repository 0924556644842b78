"""Hotspots (热点): clusters of tickets by topic and place over a window, ranked (docs/intel.md)."""

from jiesu.intel.hotspots.detect import HotspotSettings, hotspots_detect
from jiesu.intel.hotspots.documents import Document, documents_from_table, parse_time
from jiesu.intel.hotspots.ranking import Hotspot

__all__ = ["Document", "Hotspot", "HotspotSettings", "documents_from_table", "hotspots_detect", "parse_time"]
