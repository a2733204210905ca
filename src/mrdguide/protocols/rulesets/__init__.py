"""Packaged protocol rule files (one TOML file per protocol version)."""
