"""mrdguide.risk."""
