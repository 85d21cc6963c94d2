"""Throughput of text normalisation, folding and place tagging on 120-character posts.

Prints one JSON line per figure. Posts are built from the labelled sentences in
tests/data/places_eval.csv (two sentences glued and cut to 120 characters), so a good share
of them hold place names, as the tagger's worst case. Two naive references are measured in
the same run on a sample: one compiled regex per gazetteer name scanned over the folded post,
and `vietnamadminunits.parse_address` per post.

    .venv/bin/python bench/text.py [--posts 20000] [--seconds 2]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from soitin.places.gazetteer import get_gazetteer
from soitin.places.tagger import get_tagger
from soitin.settings import shared_data_dir
from soitin.text.fold import fold_diacritics, fold_for_search
from soitin.text.normalise import normalise, normalise_for_matching

ROOT = Path(__file__).resolve().parents[1]
POST_CHARS = 120


def make_posts(count: int) -> list[str]:
    """`count` posts of 120 characters from the evaluation sentences (deterministic)."""
    with (ROOT / "tests" / "data" / "places_eval.csv").open(encoding="utf-8") as handle:
        sentences = [row["text"] for row in csv.DictReader(handle)]
    posts = []
    n = len(sentences)
    for i in range(count):
        text = f"{sentences[i % n]} {sentences[(i * 7 + 3) % n]} {sentences[(i * 13 + 5) % n]}"
        posts.append(text[:POST_CHARS])
    return posts


def real_posts(count: int) -> list[str]:
    """120-character posts cut from the public dev splits in the shared data folder (news
    leads, comments, social posts), when that folder is there; never stored anywhere."""
    base = shared_data_dir()
    sources = [
        ("baomoi_tc201805/dev.csv", ("title", "text")),
        ("vihsd/dev.csv", ("free_text",)),
        ("reintel/dev.csv", ("post_message",)),
    ]
    posts: list[str] = []
    for name, columns in sources:
        path = base / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                text = " ".join((row[c] or "") for c in columns).strip()
                posts += [text[i : i + POST_CHARS] for i in range(0, len(text), POST_CHARS)][:3]
    posts = [p for p in posts if len(p) >= 40]
    return (posts * (count // max(len(posts), 1) + 1))[:count] if posts else []


def calibration(seconds: float) -> float:
    """Loops per CPU-second of a fixed pure-Python loop: to compare runs on busy machines."""
    done = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        total = 0
        for n in range(10_000):
            total += n & 7
        done += 1
    return done / (time.process_time() - start)


def rate(func: Callable[[str], object], posts: list[str], seconds: float) -> float:
    """Posts per second over at least `seconds` (whole passes over `posts`).

    Every pass gets texts never seen before (pass and post numbers appended, outside the timed
    part), so a function that remembers recent texts (`normalise_for_matching`) is timed
    on new posts, as the pipeline meets them.
    """
    for post in posts[:200]:
        func(post)  # warm caches of word tables, compiled patterns
    done = 0
    elapsed = 0.0
    for number in itertools.count():
        fresh = [f"{post} {number}.{i}" for i, post in enumerate(posts)]
        start = time.process_time()
        for post in fresh:
            func(post)
        elapsed += time.process_time() - start
        done += len(fresh)
        if elapsed >= seconds:
            break
    return done / elapsed


def naive_regex_scanner() -> Callable[[str], object]:
    """One regex per folded gazetteer name, all tried on every post."""
    patterns = [re.compile(rf"\b{re.escape(key)}\b") for key in get_gazetteer().index]

    def scan(post: str) -> object:
        folded = fold_diacritics(post)
        return [p.pattern for p in patterns if p.search(folded)]

    return scan


def emit(**fields: object) -> None:
    """One JSON line."""
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--naive-posts", type=int, default=300)
    args = parser.parse_args()
    posts = make_posts(args.posts)
    tagger = get_tagger()
    common = {"posts": len(posts), "chars_per_post": POST_CHARS, "timer": "process_time"}
    emit(
        bench="machine",
        load_average_1m=round(os.getloadavg()[0], 2),
        calibration_loops_per_s=round(calibration(1.0), 1),
    )

    for name, func in (
        ("normalise", normalise),
        ("normalise_for_matching", normalise_for_matching),
        ("fold_diacritics", fold_diacritics),
        ("fold_for_search", fold_for_search),
    ):
        emit(bench=name, texts_per_s=round(rate(func, posts, args.seconds)), **common)

    real = real_posts(args.posts)
    if real:
        for name, func in (("normalise", normalise), ("fold_for_search", fold_for_search)):
            emit(
                bench=f"{name} (real posts)",
                texts_per_s=round(rate(func, real, args.seconds)),
                posts=len(real),
                chars_per_post=POST_CHARS,
                timer="process_time",
            )
        real_rate = rate(tagger.tag, real, args.seconds)
        tagged = sum(1 for p in real if tagger.tag(p).mentions)
        emit(
            bench="tag_places (real posts)",
            texts_per_s=round(real_rate),
            goal_texts_per_s=20_000,
            share_of_posts_with_places=round(tagged / len(real), 3),
            posts=len(real),
            chars_per_post=POST_CHARS,
            timer="process_time",
        )

    tag_rate = rate(tagger.tag, posts, args.seconds)
    tagged = sum(1 for p in posts if tagger.tag(p).mentions)
    emit(
        bench="tag_places (dense: labelled sentences)",
        texts_per_s=round(tag_rate),
        share_of_posts_with_places=round(tagged / len(posts), 3),
        **common,
    )

    sample = posts[: args.naive_posts]
    naive = naive_regex_scanner()
    naive_rate = rate(naive, sample, args.seconds)
    emit(
        bench="naive_regex_scan",
        texts_per_s=round(naive_rate, 1),
        posts=len(sample),
        chars_per_post=POST_CHARS,
        names=len(get_gazetteer().index),
    )
    emit(bench="tag_places_vs_naive_regex_scan", ratio=round(tag_rate / naive_rate, 1))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from vietnamadminunits import parse_address
    except ImportError:
        return
    parse_rate = rate(lambda p: _try_parse(parse_address, p), sample[:100], args.seconds)
    emit(
        bench="vietnamadminunits.parse_address",
        texts_per_s=round(parse_rate, 1),
        posts=100,
        chars_per_post=POST_CHARS,
    )
    emit(bench="tag_places_vs_parse_address", ratio=round(tag_rate / parse_rate, 1))


def _try_parse(parse: Callable[..., object], post: str) -> object:
    try:
        return parse(post)
    except Exception:  # noqa: BLE001 - the reference parser raises on most free text
        return None


if __name__ == "__main__":
    main()
