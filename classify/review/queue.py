"""The review queue: the documents the model is least sure of come first, so review time goes
where a coder's decision teaches the model most."""

from __future__ import annotations

# A document's uncertainty is judged on its few categories nearest their thresholds: averaging
# over all ~240 would drown them in the many categories that are plainly absent.
NEAREST = 5
# in words: how the queue is ordered, and what a row's closest calls are
ORDER = (f"Documents the model is least sure of come first: those whose {NEAREST} closest calls (the categories scored nearest "
         "their thresholds, where the model could go either way) are nearest on average. Your decisions there teach it most. "
         "Done documents come last.")


def closest(scores: dict[str, tuple[float, float]], nearest: int = NEAREST) -> list[tuple[str, float, float]]:
    """The ``nearest`` categories scored closest to their thresholds, closest first: (code,
    probability, threshold). scores : code -> (probability, threshold)."""
    return sorted(((code, p, t) for code, (p, t) in scores.items()), key=lambda x: (abs(x[1] - x[2]), x[0]))[:nearest]


def margin(scores: dict[str, tuple[float, float]], nearest: int = NEAREST) -> float:
    """Mean distance to the threshold of the ``nearest`` categories closest to theirs: the smaller,
    the less sure the model is of what to code."""
    gaps = [abs(p - t) for _, p, t in closest(scores, nearest)]
    return sum(gaps) / len(gaps) if gaps else 1.0


def why(scores: dict[str, tuple[float, float]], names: dict[str, str], nearest: int = NEAREST) -> str:
    """A document's place in the queue in words: its closest calls and how near they are."""
    calls = closest(scores, nearest)
    if not calls:
        return "no category scored"
    said = ", ".join(f"{names.get(c, c)} {p:.3f} ({'above' if p >= t else 'below'} {t:.3f})" for c, p, t in calls)
    return f"closest calls on average {margin(scores, nearest):.3f} from their thresholds: {said}"


def ordered(documents, done: set[str]) -> list:
    """``documents`` (with ``id`` and ``scores``) to do first, most uncertain first; then the done ones."""
    return sorted(documents, key=lambda d: (d.id in done, margin(d.scores), d.id))
