"""Step 1 of the data path: reading, cleaning, checking and segmenting input articles."""
