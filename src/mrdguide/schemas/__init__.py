"""Packaged JSON Schemas (data files); load them with :func:`mrdguide.io.case_schema`."""
