"""Pipeline stages: span detection (SI) and technique classification (TC)."""
