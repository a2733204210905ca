"""mrdguide.store."""
