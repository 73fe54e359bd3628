"""Resident ID numbers (GB 11643) and mobile numbers, generated vectorised and unique."""

import numpy as np
import pyarrow as pa

from customers.demo import dates, text
from customers.policies import ID_CHECK_CHARS, ID_WEIGHTS

_WEIGHTS = np.array(ID_WEIGHTS, dtype=np.int64)
_CHECK = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)


def id_keys(area: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """The first 17 digits of the ID as one int64: area(6) + yyyymmdd(8) + sequence(3)."""
    y, m, d = dates.ymd(birth)
    return (np.asarray(area, dtype=np.int64) * 100_000_000 + y * 10_000 + m * 100 + d) * 1000 + seq


def id_strings(keys: np.ndarray) -> np.ndarray:
    """'S18' array: the 17 digits plus the GB 11643 check character."""
    mat = text.digits(keys, 17)
    check = _CHECK[((mat - 48).astype(np.int64) @ _WEIGHTS) % 11]
    return text.fixed_bytes(mat, check[:, None])


def draw_sequence(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """3-digit sequence whose last digit is odd for men, even for women (GB 11643)."""
    return rng.integers(0, 500, len(male)) * 2 + male.astype(np.int64)


class UniqueKeys:
    """Remembers issued keys across chunks so every ID number is unique in the province."""

    def __init__(self):
        self.seen = np.empty(0, dtype=np.int64)

    def clashes(self, keys: np.ndarray) -> np.ndarray:
        """Boolean mask of keys already issued, or repeated earlier in `keys`."""
        dup = np.zeros(len(keys), dtype=bool)
        _, first = np.unique(keys, return_index=True)
        dup[np.setdiff1d(np.arange(len(keys)), first)] = True
        if len(self.seen):
            pos = np.searchsorted(self.seen, keys).clip(max=len(self.seen) - 1)
            dup |= self.seen[pos] == keys
        return dup

    def add(self, keys: np.ndarray) -> None:
        self.seen = np.sort(np.concatenate([self.seen, keys]))


class MsisdnMaker:
    """Mobile numbers: a weighted China Mobile prefix plus 8 digits from a bijection of the line's index.

    suffix = (a * i + b) mod 10^8 with a coprime to 10^8 is a permutation, so numbers never repeat.
    """

    def __init__(self, rng: np.random.Generator, prefixes: tuple[tuple[str, float], ...]):
        self.a = int(rng.integers(10_000_000, 99_999_999)) // 10 * 10 + 3  # ends in 3: odd, not a multiple of 5
        self.b = int(rng.integers(0, 100_000_000))
        self.codes = np.array([[ord(c) for c in p] for p, _ in prefixes], dtype=np.uint8)
        self.weights = [w for _, w in prefixes]

    def make(self, rng: np.random.Generator, line_index: np.ndarray) -> np.ndarray:
        suffix = (self.a * np.asarray(line_index, dtype=np.int64) + self.b) % 100_000_000
        prefix = self.codes[text.weighted_choice(rng, self.weights, len(suffix))]
        return text.fixed_bytes(prefix, text.digits(suffix, 8))


def random_msisdns(rng: np.random.Generator, prefixes: tuple[str, ...], size: int) -> np.ndarray:
    """Numbers that need not be unique (related persons' contact numbers)."""
    codes = np.array([[ord(c) for c in p] for p in prefixes], dtype=np.uint8)
    return text.fixed_bytes(codes[rng.integers(0, len(codes), size)], text.digits(rng.integers(0, 10**8, size), 8))


def to_arrow(values: np.ndarray) -> pa.Array:
    """'S' bytes array to an arrow string array."""
    return pa.array(values, pa.binary()).cast(pa.string())

