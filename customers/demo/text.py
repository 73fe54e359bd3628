"""Vectorised string building with pyarrow (no per-row Python)."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def pick(values, idx: np.ndarray) -> pa.Array:
    """values[idx] as an arrow string array."""
    return pa.array(list(values), pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def join(*parts) -> pa.Array:
    """Element-wise concatenation of arrow string arrays and/or str scalars."""
    return pc.binary_join_element_wise(*parts, "")


def num(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as decimal strings, left-padded with zeros to `width`."""
    out = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(out, width=width, padding="0") if width else out


def blank_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """Empty string where mask is true."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar("", pa.string()), values)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """uint8 matrix (n, width) of the ASCII digits of non-negative integers, zero-padded."""
    v = np.asarray(values, dtype=np.int64).copy()
    out = np.empty((len(v), width), dtype=np.uint8)
    for pos in range(width - 1, -1, -1):
        out[:, pos] = v % 10 + 48
        v //= 10
    return out


def fixed_bytes(*parts) -> np.ndarray:
    """Concatenate uint8 matrices / bytes constants column-wise into an 'S<width>' array."""
    n = next(len(p) for p in parts if isinstance(p, np.ndarray))
    blocks = [np.tile(np.frombuffer(p, dtype=np.uint8), (n, 1)) if isinstance(p, bytes) else p for p in parts]
    mat = np.ascontiguousarray(np.hstack(blocks))
    return mat.view(f"S{mat.shape[1]}").ravel()


def weighted_choice(rng: np.random.Generator, weights, size) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=size, p=w / w.sum())
