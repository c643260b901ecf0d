"""Reading, cleaning, checking and segmenting input articles."""
