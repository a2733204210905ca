"""mrdguide.io."""
