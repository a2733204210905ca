"""The ``mrdguide`` command line (adapter)."""
