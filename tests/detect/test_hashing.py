"""Our feature hashing gives scikit-learn's FeatureHasher columns, and scoring never loads
scikit-learn (its import alone is about 70 MB of the memory goal)."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
from sklearn.feature_extraction import FeatureHasher

from soitin.detect.hashing import hash_columns, hash_strings


def _features(rng: random.Random, n: int) -> list[str]:
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạ ờởỡớợ<>=|_-😀中\u0301\u00a0"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def test_same_matrix_as_feature_hasher() -> None:
    rng = random.Random(5)
    docs = [_features(rng, rng.randint(0, 40)) for _ in range(300)]
    docs[7] = ["w=a", "w=a", "w=a"]  # repeats are summed
    docs[8] = []
    for n_bits in (4, 20):
        ours = hash_strings(docs, 1 << n_bits)
        theirs = FeatureHasher(
            n_features=1 << n_bits, input_type="string", alternate_sign=False
        ).transform(docs)
        assert ours.shape == theirs.shape
        assert (ours.indptr == theirs.indptr).all()
        assert (ours.indices == theirs.indices).all()
        assert (ours.data == theirs.data).all()
    assert hash_strings([["w=a", "w=a", "w=a"]], 1 << 20).data.tolist() == [3.0]


def test_the_hash_whose_absolute_value_overflows() -> None:
    # murmur3 of b"" with seed 0 is 0; the edge is abs(-2**31), which must not go negative
    cols = hash_columns(_features(random.Random(9), 20_000), 1 << 20)
    assert cols.min() >= 0 and cols.max() < 1 << 20
    assert hash_columns([], 16).shape == (0,)


def test_scoring_does_not_import_scikit_learn() -> None:
    code = (
        "import sys\n"
        "from soitin.detect.registry import product_suite\n"
        "out = product_suite().score(['thằng này óc chó thật, đồ ngu như bò'])\n"
        "assert [h.source for h in out['toxicity'][0].highlights][0] == 'span-model', out\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_span_columns_match_training_columns() -> None:
    """The span model's columns for a token are the ones it was trained on."""
    from soitin.detect.spans import _own_columns, _own_features

    cols = _own_columns("Ngu", "cp=3")
    expected = FeatureHasher(
        n_features=1 << 20, input_type="string", alternate_sign=False
    ).transform([_own_features("Ngu", "cp=3")])
    assert np.array_equal(cols, expected.indices)
