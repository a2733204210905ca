"""mrdguide.genetics."""
