"""mrdguide.protocols."""
