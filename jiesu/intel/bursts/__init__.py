"""Bursts (热点突增): cells of category × place whose week is improbably busy against the same
weeks of earlier years; each becomes a BurstAlert told to the analysts (docs/intel-bursts.md)."""
