"""Places: the 2025 gazetteer (with pre-2025 names) and the place tagger."""
