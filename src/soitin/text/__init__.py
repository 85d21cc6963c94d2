"""Vietnamese text: normalisation, teencode, folding, segmentation and search."""
