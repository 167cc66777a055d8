"""The review queue: the documents the model is least sure of come first, so review time goes
where a coder's decision teaches the model most."""

from __future__ import annotations

# A document's uncertainty is judged on its few categories nearest their thresholds: averaging
# over all ~240 would drown them in the many categories that are plainly absent.
NEAREST = 5


def margin(scores: dict[str, tuple[float, float]], nearest: int = NEAREST) -> float:
    """Mean distance to the threshold of the ``nearest`` categories closest to theirs: the smaller,
    the less sure the model is of what to code."""
    gaps = sorted(abs(p - t) for p, t in scores.values())[:nearest]
    return sum(gaps) / len(gaps) if gaps else 1.0


def ordered(documents, done: set[str]) -> list:
    """``documents`` (with ``id`` and ``scores``) to do first, most uncertain first; then the done ones."""
    return sorted(documents, key=lambda d: (d.id in done, margin(d.scores), d.id))
