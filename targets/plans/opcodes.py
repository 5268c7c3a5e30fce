"""What changed between two sequences (words, or words and the elements they sit in), as difflib's opcodes,
within a budget of steps: the comparison of two plan sections can never take longer than its budget allows.

difflib's SequenceMatcher is quadratic at worst (two 58 KB sections with many changes took 27 s). Here two
sequences are compared in chunks first (lines of Markdown, paragraphs or cells of the rendered section): equal
chunks cost one step each, and only the chunks that changed are compared word by word, each changed chunk
with the one in its place when as many changed on both sides. Both levels use Myers' algorithm (the shortest
edit script, O((N+M)·D) for D differences) after taking off the common start and end. Every step (a chunk or a
word compared, a diagonal tried) is charged to the Budget; past it, OverBudget, and the caller shows the two
texts side by side instead of marking words.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

Opcode = tuple[str, int, int, int, int]  # ("equal" | "replace" | "delete" | "insert", i1, i2, j1, j2)


class OverBudget(Exception):
    """The comparison needs more steps than its budget."""


class Budget:
    """Steps a comparison may take; `used` says how many it took."""

    def __init__(self, steps: int):
        self.steps, self.used = steps, 0

    @property
    def left(self) -> int:
        return self.steps - self.used

    def spend(self, steps: int) -> None:
        self.used += steps
        if self.used > self.steps:
            raise OverBudget(f"more than {self.steps:,} steps")


def opcodes(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    *,
    budget: Budget,
    chunks_a: Sequence[int] | None = None,
    chunks_b: Sequence[int] | None = None,
) -> list[Opcode]:
    """How to turn `a` into `b`, as SequenceMatcher.get_opcodes() says it. `chunks_a`/`chunks_b`: the index
    where each chunk starts (the first is 0); without them, item by item."""
    if chunks_a is None or chunks_b is None:
        return _merge(_diff(a, b, 0, 0, budget))

    def bounds(starts: Sequence[int], size: int) -> list[int]:
        return [*starts, size]  # chunk i is items bounds[i]:bounds[i + 1]

    at_a, at_b = bounds(chunks_a, len(a)), bounds(chunks_b, len(b))
    budget.spend(len(a) + len(b))  # each item hashed once into its chunk's key
    ids: dict[tuple, int] = {}
    keys_a = [ids.setdefault(tuple(a[at_a[i] : at_a[i + 1]]), len(ids)) for i in range(len(chunks_a))]
    keys_b = [ids.setdefault(tuple(b[at_b[j] : at_b[j + 1]]), len(ids)) for j in range(len(chunks_b))]
    out: list[Opcode] = []
    for op, i1, i2, j1, j2 in _diff(keys_a, keys_b, 0, 0, budget):
        if op == "equal":
            out.append(("equal", at_a[i1], at_a[i2], at_b[j1], at_b[j2]))
        elif op == "replace" and i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2)):  # each changed chunk with the one in its place
                out += _diff(a[at_a[i] : at_a[i + 1]], b[at_b[j] : at_b[j + 1]], at_a[i], at_b[j], budget)
        else:
            out += _diff(a[at_a[i1] : at_a[i2]], b[at_b[j1] : at_b[j2]], at_a[i1], at_b[j1], budget)
    return _merge(out)


def _diff(a: Sequence, b: Sequence, at_a: int, at_b: int, budget: Budget) -> list[Opcode]:
    """Opcodes for a → b (offset by at_a, at_b): the common start and end taken off, Myers in between."""
    n, m = len(a), len(b)
    start = 0
    while start < n and start < m and a[start] == b[start]:
        start += 1
    end = 0
    while end < n - start and end < m - start and a[n - 1 - end] == b[m - 1 - end]:
        end += 1
    budget.spend(start + end + 1)
    out: list[Opcode] = []
    if start:
        out.append(("equal", at_a, at_a + start, at_b, at_b + start))
    out += _myers(a[start : n - end], b[start : m - end], at_a + start, at_b + start, budget)
    if end:
        out.append(("equal", at_a + n - end, at_a + n, at_b + m - end, at_b + m))
    return out


def _myers(a: Sequence, b: Sequence, at_a: int, at_b: int, budget: Budget) -> list[Opcode]:
    """The shortest edit script (Myers 1986, greedy forward), charged a step for each diagonal tried and each
    item compared along it."""
    n, m = len(a), len(b)
    if not n or not m:
        return [_change(at_a, at_a + n, at_b, at_b + m)] if n or m else []
    offset = n + m + 1
    v = [0] * (2 * offset + 1)
    trace: list[list[int]] = []
    for d in range(n + m + 1):
        steps = d + 1
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]  # down: an insertion
            else:
                x = v[offset + k - 1] + 1  # right: a deletion
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
                steps += 1
            v[offset + k] = x
            if x >= n and y >= m:
                budget.spend(steps)
                trace.append(v[offset - d : offset + d + 1])
                return _script(trace, n, m, at_a, at_b)
        budget.spend(steps)
        trace.append(v[offset - d : offset + d + 1])
    raise AssertionError("unreachable: d = n + m always reaches the end")


def _script(trace: list[list[int]], n: int, m: int, at_a: int, at_b: int) -> list[Opcode]:
    """Walk the trace back from (n, m): the equal runs (snakes) and the changes between them."""
    x, y = n, m
    equal: list[tuple[int, int, int]] = []  # (x, y, length) of each snake, from the end back
    for d in range(len(trace) - 1, 0, -1):
        before = trace[d - 1]  # before[k + d - 1]: the furthest x on diagonal k after d - 1 differences
        k = x - y
        down = k == -d or (k != d and before[k - 1 + d - 1] < before[k + 1 + d - 1])
        prev_k = k + 1 if down else k - 1
        prev_x = before[prev_k + d - 1]
        mid_x = prev_x if down else prev_x + 1  # where this step's snake starts
        if x > mid_x:
            equal.append((mid_x, mid_x - k, x - mid_x))
        x, y = prev_x, prev_x - prev_k
    if x > 0:  # the snake of d = 0, from the start
        equal.append((0, 0, x))
    out: list[Opcode] = []
    i = j = 0
    for sx, sy, length in reversed(equal):
        if sx > i or sy > j:
            out.append(_change(at_a + i, at_a + sx, at_b + j, at_b + sy))
        out.append(("equal", at_a + sx, at_a + sx + length, at_b + sy, at_b + sy + length))
        i, j = sx + length, sy + length
    if i < n or j < m:
        out.append(_change(at_a + i, at_a + n, at_b + j, at_b + m))
    return out


def _change(i1: int, i2: int, j1: int, j2: int) -> Opcode:
    return ("replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert", i1, i2, j1, j2)


def _merge(ops: list[Opcode]) -> list[Opcode]:
    """Adjacent equal runs made one, and adjacent changes made one (as difflib writes them)."""
    out: list[Opcode] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and (out[-1][0] == "equal") == (op[0] == "equal"):
            last = out.pop()
            op = (
                ("equal", last[1], op[2], last[3], op[4])
                if op[0] == "equal"
                else _change(last[1], op[2], last[3], op[4])
            )
        out.append(op)
    return out
