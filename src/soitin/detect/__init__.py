"""Detectors of harmful content: one protocol, a registry, and local CPU-only models.

Product detectors: `toxicity` (clean / offensive / hate + offending spans), `scam` (with
extracted evidence), `misinformation`, `spam`. Named benchmark models: `vihsd`,
`victsd-toxicity`, `vispam`, `vispam-type`, `reintel`, `smishing`, `vihos` (spans).
"""

from __future__ import annotations

from soitin.detect.protocol import DetectionResult, Detector, Highlight
from soitin.detect.registry import (
    DetectorSuite,
    available,
    get_detector,
    load_detector,
    models_dir,
    product_suite,
    register,
)
from soitin.detect.shadow import ShadowReport, ShadowRunner, compare_detectors

__all__ = [
    "DetectionResult",
    "Detector",
    "DetectorSuite",
    "Highlight",
    "ShadowReport",
    "ShadowRunner",
    "available",
    "compare_detectors",
    "get_detector",
    "load_detector",
    "models_dir",
    "product_suite",
    "register",
]
