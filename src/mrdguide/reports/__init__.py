"""mrdguide.reports."""
