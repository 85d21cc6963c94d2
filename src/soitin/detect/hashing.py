"""Feature hashing of string features, as scikit-learn's `FeatureHasher` does it.

`FeatureHasher(n_features, input_type="string", alternate_sign=False)` hashes each feature's
UTF-8 bytes with the signed 32-bit MurmurHash3 (seed 0) and takes `abs(h) % n_features` as its
column; repeated features are summed. `hash_strings` gives the same matrix with the `mmh3`
package, so scoring does not import scikit-learn (about 70 MB of memory and half a second of
start-up); training still uses scikit-learn's models, on these same columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import mmh3
import numpy as np
from scipy import sparse

__all__ = ["hash_columns", "hash_strings"]


def hash_columns(features: Sequence[str], n_features: int) -> np.ndarray:
    """The column of each feature, in order (repeats kept)."""
    hashes = np.fromiter(
        (mmh3.hash(f, 0, True) for f in features), dtype=np.int64, count=len(features)
    )
    # abs(-2**31) is 2**31 here (int64); FeatureHasher gives the same column for it
    return np.abs(hashes) % n_features


def hash_strings(docs: Sequence[Sequence[str]], n_features: int) -> sparse.csr_matrix:
    """One row per document: how often each hashed column occurs (sorted, summed)."""
    flat = [f for doc in docs for f in doc]
    indptr = np.zeros(len(docs) + 1, np.int64)
    np.cumsum([len(doc) for doc in docs], out=indptr[1:])
    x = sparse.csr_matrix(
        (np.ones(len(flat)), hash_columns(flat, n_features).astype(np.int32), indptr),
        shape=(len(docs), n_features),
    )
    x.sum_duplicates()  # also sorts the indices
    return x
