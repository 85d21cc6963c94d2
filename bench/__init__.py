"""Benchmarks: each script prints one JSON line per figure; `make bench` runs them all."""
