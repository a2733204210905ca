"""mrdguide.mrd."""
