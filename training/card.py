"""The model card (README.md of a model folder), generated from its manifest."""

from __future__ import annotations


def model_card(manifest: dict) -> str:
    cats = manifest["categories"]
    oof = manifest.get("out_of_fold", {})
    data = manifest["training_data"]
    lines = [
        f"# paxclassify model `{manifest['name']}`",
        "",
        f"Created {manifest['created']} by paxclassify {manifest['versions'].get('paxclassify', '?')} with `classify train`.",
        f"Embedding model: `{manifest['embedding']['model']}`"
        + (f" ({manifest['embedding']['package']} {manifest['embedding'].get('version')})" if manifest["embedding"].get("package") else "")
        + f", {manifest['embedding']['dimension']} dimensions; "
        + f"estimator `{manifest['estimator']['class']}`; "
        + (
            f"one logistic regression per category over the clause embedding and the TF-IDF of its word 1-2-grams hashed into "
            f"{manifest['lexical']['n_buckets']} buckets (weights per bucket, no vocabulary stored; "
            f"{manifest['estimator']['params'].get('max_lexical_weights')} n-gram weights kept per category)"
            if manifest.get("lexical")
            else "one logistic regression per category over clause embeddings"
        )
        + "; a document's score for a category is its best clause's (a one-paragraph document is also scored whole; "
        "titles, page furniture and negated sentences are not scored).",
        "",
        _decision(manifest),
        "",
        "## Training data",
        "",
        "PA-X, the Peace Agreements Database (University of Edinburgh / PeaceRep), CC BY-NC-SA 4.0. "
        "Cite: Bell, C. & Badanjak, S. (2019) \"Introducing PA-X\", *Journal of Peace Research* 56(3):452-466. "
        "This folder holds fitted weights only: no PA-X text.",
        "",
        f"- {data['agreements']} agreements in {data['peace_processes']} peace processes",
        "- training rows by source: " + ", ".join(f"{k} {v}" for k, v in data["rows_by_source"].items()),
        f"- thresholds chosen on {data['threshold_documents']['count']} {data['threshold_documents']['kind']} documents",
        "- files (SHA-256): " + ", ".join(f"`{k}` {v[:12]}" for k, v in data["files"].items()),
        "",
        "## Out-of-fold figures",
        "",
        f"{manifest['settings']['n_folds']} folds grouped by peace process: micro-F1 {oof.get('micro_f1')}, macro-F1 {oof.get('macro_f1')}. {oof.get('note', '')}",
    ]
    lines += [
        "",
        "## Intended use and limitations",
        "",
        "A first pass for a PA-X coder, who reads the evidence and accepts or rejects each category; not a replacement for coding. "
        "How well it codes real agreement text is measured by `classify evaluate` (grouped by peace process): see the project "
        "README's figures and what they cover. English only. Negation is caught by patterns, names are masked by a dictionary "
        "test. Read the probabilities (`--format json`); `--threshold` shows more.",
    ]
    evaluation = manifest.get("evaluation")
    if evaluation:
        lines += ["", "## Evaluation (`classify evaluate`)", "", evaluation]
    lines += [
        "",
        f"## Categories covered ({len(cats)})",
        "",
        "| code | name | group | positive agreements | threshold | out-of-fold F1 |",
        "|---|---|---|---:|---:|---:|",
    ]
    per = oof.get("per_category_f1", {})
    for c in cats:
        lines.append(f"| {c['code']} | {c['name']} | {c['group']} | {c['n_positive']} | {c['threshold']:.3f} | {per.get(c['code'], '')} |")
    unc = manifest.get("uncovered", [])
    lines += ["", f"## Categories not covered ({len(unc)})", ""]
    lines += [f"- {u['code']} ({u['name']}): {u['reason']}" for u in unc]
    return "\n".join(lines) + "\n"


def _decision(manifest: dict) -> str:
    decision = manifest.get("decision") or {}
    prior = decision.get("count_prior")
    text = "A category is present when its score passes its threshold" + (
        f" (at most {decision['max_threshold']} for a document decided with the count prior)" if decision.get("max_threshold") is not None and prior else "")
    if prior:
        text += (
            f", and among the document's highest-scoring categories: at most the number of codes that PA-X gives "
            f"{prior['quantile']:.0%} of agreements of the document's length (log1p(count) = {prior['intercept']:.2f} + "
            f"{prior['slope']:.3f} x log(characters), residual sd {prior['residual_std']:.2f}, fitted on {prior['n_agreements']} agreements)"
        )
    return text + ". A present sub-code makes its parent present. `--threshold` replaces the thresholds and lifts the cap."
