"""The ``classify`` command line: a thin layer over the library. Only this module imports click."""

from __future__ import annotations

import itertools
import os
import sys
import warnings
from pathlib import Path

import click

from . import config
from .errors import PaxClassifyError, PaxClassifyWarning

DEFAULT_DATA = str(config.data_dir())


def _one_line(message) -> str:
    return " ".join(str(message).split("\n")).strip()


def _echo_err(line: str) -> None:
    """One line on stderr, above a progress bar if one is showing (tqdm clears and redraws it)."""
    if "tqdm" in sys.modules:
        sys.modules["tqdm"].tqdm.write(line, file=sys.stderr)
    else:
        click.echo(line, err=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Our warnings as one 'Warning: ...' line; anyone else's in Python's usual format."""
    if issubclass(category, PaxClassifyWarning):
        _echo_err(f"Warning: {_one_line(message)}")
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


class Command(click.Command):
    """Turns errors into one-line messages (never a traceback); --debug (on the group) shows the traceback."""

    def invoke(self, ctx):
        debug = ctx.find_root().params.get("debug")
        with warnings.catch_warnings():
            warnings.simplefilter("always", PaxClassifyWarning)
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
                raise
            except PaxClassifyError as exc:
                if debug:
                    raise
                raise click.ClickException(_one_line(exc)) from None
            except KeyboardInterrupt:
                if ctx.params.get("resume"):
                    raise click.ClickException(f"interrupted; the codings finished so far are in {ctx.params['output']}: run the same command again to go on") from None
                raise click.ClickException("interrupted") from None
            except BrokenPipeError:
                # the reader left (`classify predict ... | head`): stop quietly, as Unix tools do
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                ctx.exit(141)
            except OSError as exc:
                if debug:
                    raise
                raise click.ClickException(_one_line(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))) from None
            except MemoryError:
                if debug:
                    raise
                hint = "; code fewer documents at once (--batch-size) or lower --max-size" if ctx.command.name == "predict" else ""
                raise click.ClickException(f"out of memory{hint}") from None
            except Exception as exc:
                if debug:
                    raise
                raise click.ClickException(
                    _one_line(f"unexpected {exc.__class__.__name__}: {exc}. This is a bug in paxclassify; rerun with --debug for the traceback and report it")
                ) from None


class Group(click.Group):
    command_class = Command


@click.group(cls=Group)
@click.version_option(package_name="paxclassify")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
def cli(debug):
    """Code peace agreements with PA-X categories, quoting the clauses as evidence."""


def _announce_export(model, *, export_now: bool = False) -> None:
    """Say so when the model's embedding model will first be exported to ONNX; ``export_now``
    exports it here rather than on first use (before worker processes would all do it at once)."""
    from .embed import onnx_cache_dir

    if getattr(model.encoder, "needs_export", False):
        _echo_err(f"Exporting the embedding model to ONNX ({model.backend}; once per embedding model folder, some seconds; kept in {onnx_cache_dir()})")
        if export_now:
            model.encoder.model


# the formats an --output extension allows, its default first
FORMATS_OF_EXTENSION = {".json": ("json",), ".jsonl": ("jsonl",), ".ndjson": ("jsonl",), ".csv": ("csv", "pax-csv"),
                        ".md": ("markdown",), ".markdown": ("markdown",), ".txt": ("text",)}


def _output_format(fmt: str | None, output: Path | None) -> str:
    """--format, else the one --output's extension names, else text; a clash between them is an error."""
    allowed = FORMATS_OF_EXTENSION.get(output.suffix.lower(), ()) if output is not None else ()
    if fmt and allowed and fmt not in allowed:
        raise click.UsageError(f"--format {fmt} writes {fmt} but --output {output} names a {output.suffix} file; use --format {allowed[0]} or another file name")
    return fmt or (allowed[0] if allowed else "text")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--model", "model_path", type=click.Path(file_okay=False, path_type=Path), help="Model folder (default: the shipped model).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv", "pax-csv", "markdown"]),
              help="Output format [default: from the --output extension (.json, .jsonl, .csv, .md), else text]. "
                   "pax-csv: one row per document, one column per PA-X category in the codings files' order (1 present, or its grade 1-3 where PA-X grades it; 0 absent; empty not assessed).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (atomically) instead of stdout.")
@click.option("--all", "show_all", is_flag=True, help="Also list absent categories (\"No specific mention\").")
@click.option("--threshold", type=click.FloatRange(0, 1), help="One threshold for every category instead of the model's; also lifts the cap on how many categories a document of its length gets.")
@click.option("--top-k", type=click.IntRange(1, 20), default=3, show_default=True, help="Evidence clauses per category.")
@click.option("--text-column", help="For CSV inputs: the column holding each document's text.")
@click.option("--id-column", help="For CSV inputs: the column holding each document's id.")
@click.option("--batch-size", type=click.IntRange(1), default=64, show_default=True, help="Documents coded together (their clauses are embedded in one length-sorted pass).")
@click.option("--max-size", type=click.FloatRange(0, min_open=True), default=10, show_default=True, help="Largest document accepted, in MB of text.")
@click.option("--resume", is_flag=True, help="With --format jsonl -o FILE: append each batch as it is coded and skip documents already in FILE.")
@click.option("--backend", type=click.Choice(["torch", "onnx", "onnx-int8"]), default="onnx", show_default=True, envvar=config.BACKEND,
              help="Embedding runtime. onnx: the model via onnxruntime (same embeddings as torch, a faster start; exported locally on first use); onnx-int8: quantized, faster still; torch: sentence-transformers.")
@click.option("--jobs", type=int, default=1, show_default=True, help="Worker processes coding batches in parallel, each with one thread; -1 = one per CPU core.")
@click.option("--dask-scheduler", metavar="ADDRESS", help="Code on the workers of this Dask cluster (e.g. tcp://10.0.0.5:8786); they need paxclassify and the model folder at the same path. Needs paxclassify[dask].")
def predict(inputs, model_path, fmt, output, show_all, threshold, top_k, text_column, id_column, batch_size, max_size, resume, backend, jobs, dask_scheduler):
    """Code documents: text files, '-' for stdin, folders, or CSV rows.

    Example: classify predict statement.txt --format json -o coding.json
    """
    from tqdm import tqdm

    from .documents import iter_documents
    from .atomic import open_atomic
    from .model import Model
    from .render import render, render_stream

    fmt = _output_format(fmt, output)
    if resume and (fmt != "jsonl" or output is None):
        raise click.UsageError("--resume needs --format jsonl and --output FILE: only a JSON-lines file can be appended to document by document")
    sink = None
    if resume:
        from .resume import JsonlOutput, coding_key

        sink = JsonlOutput(output)
        finished = set(sink.keys)
        if sink.repaired:
            click.echo(f"Warning: {output}: cut off an incomplete last line ({sink.repaired} bytes) left by an interrupted run", err=True)
    if jobs == 0 or jobs < -1:
        raise click.BadParameter(f"{jobs}: expected a number of workers, or -1 for one per CPU core", param_hint="--jobs")
    parallel = jobs != 1 or dask_scheduler is not None
    model = Model.load(model_path, backend=backend)
    _announce_export(model, export_now=parallel)
    counts = {"failed": 0, "skipped": 0, "coded": 0}

    def documents():
        for item in iter_documents(list(inputs), text_column=text_column, id_column=id_column, max_bytes=int(max_size * 1_000_000)):
            if isinstance(item, PaxClassifyError):
                _echo_err(f"Error: {_one_line(item)}")
                counts["failed"] += 1
            elif sink is not None and coding_key(item.id, item.source) in finished:
                counts["skipped"] += 1  # only what an earlier run wrote: repeated ids in this run are all coded
            else:
                yield item

    def counted(batches):
        for coded in batches:
            counts["coded"] += len(coded)
            bar.update(len(coded))
            for coding in coded:
                for warning in coding.warnings:
                    _echo_err(f"Warning: {coding.document or coding.id}: {warning}")
            yield coded

    # a bar on a terminal only (disable=None), so logs and pipes stay clean; none when the codings
    # themselves scroll past on the same terminal
    to_terminal = output is None and sys.stdout.isatty()
    with tqdm(desc="Coding", unit=" documents", disable=True if to_terminal else None, file=sys.stderr, leave=False) as bar:
        options = {"batch_size": batch_size, "threshold": threshold, "top_k": top_k}
        if parallel:
            from .parallel import code_batches_in_parallel

            coded = code_batches_in_parallel(documents(), model.path, jobs=jobs, scheduler=dask_scheduler, backend=backend, **options)
        else:
            coded = model.code_batches(documents(), **options)
        batches = counted(coded)
        if sink is not None:
            for coded in batches:
                sink.append(render(coded, "jsonl"))
        elif (first := next(batches, None)) is not None:  # nothing coded, nothing written
            pieces = render_stream(itertools.chain([first], batches), fmt, show_all=show_all)
            if output:
                with open_atomic(output) as f:
                    f.writelines(pieces)
            else:
                for piece in pieces:
                    click.echo(piece, nl=False)
    if sink is not None:
        skipped = counts["skipped"]
        click.echo(f"Wrote {counts['coded']} coding(s) to {output}" + (f"; skipped {skipped} already there" if skipped else ""), err=True)
    elif output and counts["coded"]:
        click.echo(f"Wrote {counts['coded']} coding(s) to {output}", err=True)
    failures = counts["failed"]
    if failures:
        raise click.ClickException(f"{failures} input(s) could not be coded; see the errors above")


@cli.command()
@click.option("--model", "model_path", type=click.Path(file_okay=False, path_type=Path), help="Model folder (default: the shipped model).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="PA-X data folder, to show each category's definition.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def categories(model_path, data_dir, fmt):
    """List every PA-X category the model knows: group, whether it is covered, and why not.

    Example: classify categories --data ../shared/pax
    """
    import json

    from .model import read_manifest

    manifest = read_manifest(model_path or config.model_dir())
    # the threshold a document meets (predict never uses one above the manifest's max_threshold)
    cap = manifest.decision.max_threshold
    rows = [{**vars(c), "threshold": c.threshold if cap is None else min(c.threshold, cap), "covered": True, "reason": ""} for c in manifest.categories]
    rows += [{**vars(c), "covered": False, "threshold": None} for c in manifest.uncovered]
    definitions = {}
    if data_dir is not None:
        from training.sources import find_sources, load_categories

        definitions = load_categories(find_sources(data_dir).get("categories", []))["definition"].dropna().to_dict()
    for r in rows:
        r["definition"] = definitions.get(r["code"], "")
    rows.sort(key=lambda r: (r["group"], r["code"]))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=["code", "name", "group", "covered", "threshold", "n_positive", "reason", "definition"], extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return
    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            click.echo(f"\n{group}")
        status = f"covered, threshold {r['threshold']:.2f}" if r["covered"] else f"not covered: {r['reason']}"
        click.echo(f"  {r['code']:<12} {r['name']} ({status})")
        if r["definition"]:
            click.echo(f"      {r['definition']}")
    covered = sum(r["covered"] for r in rows)
    click.echo(f"\n{covered} of {len(rows)} categories covered.")


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True, help="Folder of PA-X files (codings, texts, clause exports).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Model folder to write; an existing one is kept as <out>.previous.")
@click.option("--reviewed", type=click.Path(file_okay=False, path_type=Path),
              help=f"Review folder (classify review --out) whose decisions are learned from, clause by clause [default: {Path(DEFAULT_DATA) / 'reviewed'} if it exists].")
@click.option("--base", type=click.Path(file_okay=False, path_type=Path),
              help="Retrain this model in seconds: refit only the categories the review or --codings changed, keeping its thresholds (e.g. models/pax-default).")
@click.option("--codings", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Extra codings CSV (new agreements or corrections); later ones win. Repeatable.")
@click.option("--embedding-model", help="sentence-transformers folder (default: the packaged all-MiniLM-L6-v2).")
@click.option("--min-positive", type=click.IntRange(2), default=20, show_default=True, help="Positive agreements a category needs to be modelled.")
@click.option("--folds", type=click.IntRange(2), default=3, show_default=True, help="Peace-process-grouped folds for choosing thresholds.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Cache of embeddings and of each category's fits (default: ~/.cache/paxclassify/embeddings or $PAXCLASSIFY_CACHE); safe to delete.")
@click.option("--jobs", type=int, default=-1, show_default=True, help="Parallel jobs for fitting; -1 = one per CPU core.")
def train(data_dir, out, reviewed, base, codings, embedding_model, min_positive, folds, cache_dir, jobs):
    """Train a model from PA-X codings and texts, and the decisions of a review.

    Example: classify train --data ../shared/pax --reviewed data/labelled/reviewed --out models/my-model
    """
    from training.train import TrainSettings, retrain, train as train_model

    if reviewed is None and (Path(DEFAULT_DATA) / "reviewed").is_dir():
        reviewed = Path(DEFAULT_DATA) / "reviewed"
        _echo_err(f"Learning from the decisions in {reviewed} (the review folder classify review writes by default)")
    if base is not None:
        if out.resolve() == base.resolve():
            raise click.UsageError(f"--out {out} is the model --base reads from; write the retrained model to another folder (the base is kept as it is)")
        if embedding_model or min_positive != 20 or folds != 3:
            raise click.UsageError("--base keeps the base model's embedding model, categories and thresholds: drop --embedding-model, --min-positive and --folds, or drop --base")
        result = retrain(data_dir, out, base, codings=list(codings), reviewed=reviewed, cache_dir=cache_dir, n_jobs=jobs, progress=True)
    else:
        settings = TrainSettings(min_positive=min_positive, n_folds=folds)
        result = train_model(data_dir, out, codings=list(codings), reviewed=reviewed, embedding_model=embedding_model, settings=settings,
                             cache_dir=cache_dir, n_jobs=jobs, progress=True)
    m = result.manifest
    for change in result.changes:
        click.echo(
            f"{change['file']}: {change['rows_added']} agreement(s) added, {change['rows_corrected']} corrected, "
            f"{change['labels_flipped']} label(s) flipped" + (f" ({', '.join(f'{k} {v}' for k, v in change['flips_by_category'].items())})" if change["flips_by_category"] else "")
        )
    click.echo(f"Embedding cache: {result.cache_hits} reused, {result.cache_misses} embedded")
    few = sum(1 for c in m["uncovered"] if c.get("coded", True))
    click.echo(f"Categories modelled: {len(m['categories'])}; not covered: {few} with fewer than {min_positive} positive agreements, "
               f"{len(m['uncovered']) - few} headings or categories with no column in the codings")
    review = m["training_data"].get("reviewed")
    if review:
        click.echo(f"Review {review['folder']}: {review['documents']} document(s), clause labels " + (", ".join(f"{k} {v}" for k, v in review["clause_labels"].items()) or "none"))
    oof = m["out_of_fold"]
    if result.refitted is not None:
        click.echo(f"Refitted {len(result.refitted)} categor{'y' if len(result.refitted) == 1 else 'ies'} from {base}: {', '.join(result.refitted) or 'none'}; "
                   f"thresholds kept (run without --base to choose them again)")
    else:
        click.echo(f"Out-of-fold (grouped by peace process): micro-F1 {oof['micro_f1']:.4f}  macro-F1 {oof['macro_f1']:.4f}")
    if result.previous_metrics and result.refitted is None:
        prev = result.previous_metrics
        click.echo(
            f"Against the previous model: micro-F1 {oof['micro_f1'] - prev.get('micro_f1', 0):+.4f}  macro-F1 {oof['macro_f1'] - prev.get('macro_f1', 0):+.4f}"
        )
    click.echo("Time: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    click.echo(f"Model written to {result.path}" + (f" (previous kept in {result.path}.previous)" if result.previous_metrics is not None else ""))


@cli.group(cls=Group)
def data():
    """Get PA-X data to train on: download it from the PA-X site.

    Example: classify data fetch --dest data/labelled
    """


@data.command("fetch")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA, show_default=True, help="Folder to download into (what 'classify train --data' reads).")
@click.option("--base-url", envvar=config.PAX_URL, show_envvar=True, help="PA-X site or mirror (default: https://www.peaceagreements.org).")
@click.option("--codings-url", envvar=config.PAX_FILE_URLS["codings"], show_envvar=True, help="The codings CSV export (default: <base-url>/download/pax_data.csv).")
@click.option("--corpus-url", envvar=config.PAX_FILE_URLS["corpus"], show_envvar=True, help="The full-text corpus CSV export (default: <base-url>/download/pax_corpus.csv).")
@click.option("--api-url", envvar=config.PAX_FILE_URLS["api"], show_envvar=True, help="First page of the clause-level API (default: <base-url>/api/agreements/issues/?page=1).")
@click.option("--only", type=click.Choice(["codings", "corpus", "api"]), multiple=True, help="Fetch only this source. Repeatable.")
@click.option("--force", is_flag=True, help="Download again what the manifest lists as complete.")
@click.option("--retries", type=click.IntRange(0, 20), default=5, show_default=True, help="Tries after a failure, waiting 1, 2, 4, ... seconds.")
@click.option("--timeout", type=click.FloatRange(1), default=60, show_default=True, help="Seconds to wait for the server.")
def data_fetch(dest, base_url, codings_url, corpus_url, api_url, only, force, retries, timeout):
    """Download the PA-X codings, full-text corpus and clause-level API into a data folder.

    Resumes an interrupted run; records URL, date, SHA-256 and rows in fetch-manifest.json.
    The export URLs are guesses that may change with PA-X releases; override them with the
    options or environment variables below.

    Example: classify data fetch --dest data/labelled
    """
    from tqdm.auto import tqdm

    from training.fetch import FetchSettings, fetch

    settings = FetchSettings(retries=retries, timeout=timeout)
    result = fetch(
        dest,
        base_url=base_url,
        urls={"codings": codings_url, "corpus": corpus_url, "api": api_url},
        only=list(only) or None,
        force=force,
        settings=settings,
        progress=True,
        log=lambda message: tqdm.write(f"Warning: {message}", file=sys.stderr),
    )
    if result.created_dest:
        click.echo(f"Created {result.dest}")
    for f in result.files:
        pages = f" from {f['pages']} page(s)" if f.get("pages") else ""
        status = "already complete, skipped" if f["status"] == "skipped" else f"fetched {f['fetched_at']}"
        click.echo(f"{f['file']}: {f['rows']} rows{pages}, {f['bytes']:,} bytes, sha256 {f['sha256'][:12]}  ({status})")
    click.echo(f"Manifest: {result.manifest_path}")
    click.echo(f"PA-X is CC BY-NC-SA 4.0: keep these files out of any repository. Train with: classify train --data {result.dest} --out models/my-model")


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True, help="Folder of PA-X files (codings, texts, clause exports).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for metrics.json, report.md and the plots (created if missing).")
@click.option("--model", "model_path", type=click.Path(file_okay=False, path_type=Path), help="Retrain with this model's settings and embedding model (default: classify train's defaults).")
@click.option("--folds", type=click.IntRange(3), default=5, show_default=True, help="Outer folds, grouped by peace process.")
@click.option("--min-positive", type=click.IntRange(1), default=30, show_default=True, help="Positive agreements a category needs to be reported.")
@click.option("--floors", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSON of minimum figures: exit 1 if the model falls more than the tolerance below one.")
@click.option("--per-category", is_flag=True, help="Also print every category's P/R/F1/AP of the model, per suite.")
@click.option("--ablations", is_flag=True, help="Also evaluate the model's embedding and n-gram regressions alone, on the same folds.")
@click.option("--backend", type=click.Choice(["torch", "onnx", "onnx-int8"]), default="torch", show_default=True, help="Embedding backend, for training and test text alike (to check the ONNX ones).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Embedding cache (default: ~/.cache/paxclassify/embeddings or $PAXCLASSIFY_CACHE).")
@click.option("--jobs", type=int, default=-1, show_default=True, help="Parallel jobs for fitting; -1 = one per CPU core.")
def evaluate(data_dir, out, model_path, folds, min_positive, floors, per_category, ablations, backend, cache_dir, jobs):
    """Measure the pipeline on peace processes it has not seen, against baselines.

    Example: classify evaluate --data ../shared/pax --out reports/evaluation --model models/pax-default
    """
    import json

    from training.evaluate import check_floors, evaluate as run_evaluation
    from training.report import document_table, headline_table, per_category_table, write_report

    floor_spec = None
    if floors is not None:  # read before the long run, so a broken file fails fast
        try:
            floor_spec = json.loads(floors.read_text())
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{floors}: not valid JSON ({exc})") from None
    ev = run_evaluation(data_dir, model_dir=model_path, n_folds=folds, min_positive=min_positive, cache_dir=cache_dir, n_jobs=jobs, ablations=ablations, backend=backend, progress=True)
    click.echo(headline_table(ev.metrics), nl=False)
    documents = document_table(ev.metrics)
    if documents:
        click.echo("\nReal agreement text, decided as classify predict decides a document:")
        click.echo(documents, nl=False)
    if per_category:
        for suite in ev.metrics["suites"]:
            click.echo(f"\n{suite} (model)")
            click.echo(per_category_table(ev.metrics, suite), nl=False)
    paths = write_report(ev, out)
    click.echo(f"\nWrote {len(paths)} files to {out}: " + ", ".join(p.name for p in paths))
    click.echo(f"Time: {ev.metrics['timings']['total']:.0f}s")
    if floor_spec is not None:
        failures = check_floors(ev.metrics, floor_spec)
        if failures:
            raise click.ClickException(f"the model fell below the floors in {floors}:\n  " + "\n  ".join(failures))
        click.echo(f"All figures within {floor_spec.get('tolerance', 0.01)} of the floors in {floors}.")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--model", "model_path", type=click.Path(file_okay=False, path_type=Path), help="Model folder (default: the shipped model).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path(DEFAULT_DATA) / "reviewed", show_default=True,
              help="Review folder: the decisions (state/), which 'classify train --reviewed' learns from, and reviewed_codings.csv and reviewed_clauses.csv rewritten from them.")
@click.option("--coder", envvar=config.CODER, help="Name recorded with each decision [default: your user name].")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True,
              help="PA-X data folder whose categories file gives the codebook's definitions shown beside each category (a model that records them needs none).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on. Anyone who can reach it and has the printed URL can read the documents.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on; 0 picks a free one.")
@click.option("--no-browser", is_flag=True, help="Only print the URL; do not open a browser.")
@click.option("--top-k", type=click.IntRange(1, 20), default=3, show_default=True, help="Evidence clauses suggested per category.")
@click.option("--text-column", help="For CSV inputs: the column holding each document's text.")
@click.option("--id-column", help="For CSV inputs: the column holding each document's id (AgtId, for PA-X agreements).")
@click.option("--max-size", type=click.FloatRange(0, min_open=True), default=10, show_default=True, help="Largest document accepted, in MB of text.")
@click.option("--backend", type=click.Choice(["torch", "onnx", "onnx-int8"]), default="onnx", show_default=True, envvar=config.BACKEND, help="Embedding runtime (see predict).")
def review(inputs, model_path, out, coder, data_dir, host, port, no_browser, top_k, text_column, id_column, max_size, backend):
    """Review the model's suggestions in the browser: accept, reject, grade and add categories
    clause by clause. Every decision is saved at once, as training data for 'classify train'.

    Takes the same inputs as predict. Example: classify review examples/statement.txt
    """
    try:
        from .review.app import Workbench, create_app, listen, new_token, serve, url_of
    except ImportError as exc:
        raise click.ClickException(f"classify review needs the review extra ({(exc.name or 'a web package').split('.')[0]} is not installed): pip install 'paxclassify[review]'") from None
    from tqdm import tqdm

    from .codebook import read_definitions
    from .documents import iter_documents
    from .model import Model
    from .review.store import ReviewError, Store
    from .review.suggest import catalogue, suggest

    documents, failed = {}, 0
    for item in iter_documents(list(inputs), text_column=text_column, id_column=id_column, max_bytes=int(max_size * 1_000_000)):
        if isinstance(item, PaxClassifyError):
            _echo_err(f"Error: {_one_line(item)}")
            failed += 1
        elif item.id in documents:
            raise ReviewError(f"{documents[item.id].source} and {item.source} have the same id {item.id!r}; review them separately, or give the CSV an --id-column")
        else:
            documents[item.id] = item
    if not documents:
        raise click.ClickException("no document to review" + ("; see the errors above" if failed else ""))
    model = Model.load(model_path, backend=backend)
    known = catalogue(model, read_definitions(data_dir))
    store = Store(out, known)  # a broken review folder is reported before the slow part
    _announce_export(model)
    with tqdm(total=len(documents), desc="Suggesting", unit=" documents", file=sys.stderr, leave=False, disable=None) as bar:
        suggested = suggest(model, list(documents.values()), top_k=top_k, progress=bar.update)
    for doc in suggested:
        store.attach(doc.id, doc.source, doc.clauses, [s.code for s in doc.suggestions])
    store.start()
    if coder is None:
        import getpass

        try:
            coder = getpass.getuser()
        except Exception:  # no user name in some containers
            coder = "coder"
    sock = listen(host, port)
    token = new_token()
    url = url_of(sock, token)
    app = create_app(Workbench({d.id: d for d in suggested}, store, known, coder, token), cookie=f"paxreview-{sock.getsockname()[1]}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        _echo_err(f"Warning: listening on {host}: anyone who can reach this machine and has the URL can read these documents and save decisions")
    if not any(c["definition"] for c in known):
        _echo_err(f"Note: no codebook definitions to show: {data_dir} has no PA-X categories file (a CSV with code and definition_short); pass --data with the folder that has one")
    click.echo(f"Reviewing {len(suggested)} document(s) as {coder}; decisions are saved in {out} (Ctrl-C to stop)")
    click.echo(url)
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    serve(app, sock)
    click.echo(f"Stopped. Every decision acknowledged is saved in {out}.", err=True)
    if failed:
        raise click.ClickException(f"{failed} input(s) could not be read; see the errors above")
