"""The simulated coder's paired comparisons, on hand-made per-document results."""

from benchmarks.simulated_coder import paired, paired_table


def run(arm, n, seed, f1, fp, placed_f1):
    per = {"f1": f1, "fp": fp}
    return {"arm": arm, "documents": n, "seed": seed,
            "per_document": {"fulltext": per, "clause_bags": per, "fulltext:placeable": {"f1": placed_f1, "fp": fp},
                             "clause_bags:placeable": {"f1": placed_f1, "fp": fp}}}


def test_paired_compares_the_loop_document_by_document_over_all_categories_and_each_part():
    results = {
        "base": {"per_document": run("base", 0, 0, [0.5, 0.5, 0.5], [3, 3, 3], [0.2, 0.2, 0.2])["per_document"]},
        "runs": [run("loop", 10, s, [0.6, 0.6, 0.6], [2, 2, 2], [0.5, 0.5, 0.5]) for s in (0, 1)]
        + [run("codings", 10, s, [0.6, 0.6, 0.6], [3, 3, 3], [0.3, 0.3, 0.3]) for s in (0, 1)],
    }
    rows = {r["against"]: r for r in paired(results, boot=200)}
    assert rows["codings"]["clause_bags_f1"] == [0.0, 0.0, 0.0]
    assert rows["codings"]["clause_bags_fp"] == [-1.0, -1.0, -1.0]
    assert rows["codings"]["clause_bags:placeable_f1"] == [0.2, 0.2, 0.2]
    assert rows["base"]["fulltext_f1"] == [0.1, 0.1, 0.1]
    results["paired"] = list(rows.values())
    assert "+0.200 [+0.200, +0.200]" in paired_table(results, ":placeable")
    assert "+0.200" not in paired_table(results, "")
    assert paired_table(results, ":rest").count("\n") == 1  # no such part measured: the header alone
