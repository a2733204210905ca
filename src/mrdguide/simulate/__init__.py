"""mrdguide.simulate."""
