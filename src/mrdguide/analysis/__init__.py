"""mrdguide.analysis."""
