"""Throughput and memory of the product detectors (one core, 120-character posts).

Prints JSON lines: posts/s for all product detectors together (`DetectorSuite`), the same
without explanations, and the peak resident memory with every model loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


BENIGN = [
    "hôm nay trời đẹp quá", "mọi người đi đường cẩn thận nhé", "giá xăng lại tăng rồi",
    "chúc mừng đội tuyển", "công an cảnh báo thủ đoạn giả danh", "tin đồn đã bị bác bỏ",
    "bác sĩ khuyên uống nước ấm", "quán phở này ngon", "sản phẩm tốt giao hàng nhanh",
    "shop đóng gói cẩn thận", "cảm ơn cả nhà đã ủng hộ", "lịch họp tổ dân phố tối thứ năm",
    "trường tổ chức ngày hội đọc sách", "đường Lê Lợi đang sửa", "trận đấu tối qua hay quá",
]  # fmt: skip
HARMFUL = [
    "trúng thưởng xe SH", "liên hệ 0912345678 để nhận quà", "đồ ngu như bò",
    "việc nhẹ lương cao làm tại nhà", "chuyển khoản phí 500k", "thằng này óc chó thật",
    "nghe nói sắp phong tỏa", "bit.ly/nhanqua", "vắc xin gây vô sinh",
]  # fmt: skip


def _posts(n: int, seed: int, harmful_share: float) -> list[str]:
    """Synthetic 120-character Vietnamese posts (our own phrases, no data-set text).

    A share `harmful_share` of the posts mixes in harmful phrases (scam, insult, rumour);
    the rest are benign, as in real monitoring traffic.
    """
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        harmful = rng.random() < harmful_share
        text = ""
        while len(text) < 120:
            pool = HARMFUL if harmful and rng.random() < 0.5 else BENIGN
            text += rng.choice(pool) + (", " if rng.random() < 0.5 else ". ")
        out.append(text[:120])
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--harmful-share", type=float, default=0.1)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from soitin.detect.catalog import PRODUCT
    from soitin.detect.detectors import LinearDetector
    from soitin.detect.registry import get_detector, product_suite

    base = _rss_mb()
    suite = product_suite()
    loaded = [d.name for d in suite.detectors]
    if set(loaded) != set(PRODUCT):
        print(json.dumps({"error": f"missing artefacts; have {loaded}"}))
        return 1
    for name in (
        "vihsd",
        "victsd-toxicity",
        "vispam",
        "vispam-type",
        "reintel",
        "smishing",
        "vihos",
    ):
        get_detector(name)  # every model loaded, for the memory figure
    posts = _posts(args.posts, 1, args.harmful_share)
    suite.score(posts[:256])  # warm-up

    def run(label: str) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        flagged = 0
        for i in range(0, len(posts), args.batch):
            out = suite.score(posts[i : i + args.batch])
            flagged += sum(r.flagged for res in out.values() for r in res)
        secs = time.perf_counter() - start
        cpu_secs = time.process_time() - cpu
        print(
            json.dumps(
                {
                    "figure": label,
                    "posts": len(posts),
                    "posts_per_s": round(len(posts) / secs),
                    # CPU time of this process only: steady when other processes share the core
                    "cpu_posts_per_s": round(len(posts) / cpu_secs),
                    "detectors": loaded,
                    "flags": flagged,
                    "post_chars": 120,
                    "cores": 1,
                }
            ),
            flush=True,
        )

    run("detect_posts_per_s_with_explanations")
    for det in suite.detectors:
        if isinstance(det, LinearDetector):
            det.explain = False  # scores and labels only
    run("detect_posts_per_s_scores_only")
    print(
        json.dumps(
            {
                "figure": "peak_rss_mb_all_models_loaded",
                "value": round(_rss_mb(), 1),
                "before_loading_mb": round(base, 1),
                "goal_mb": 400,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
