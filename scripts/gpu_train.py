#!/usr/bin/env python3
"""One command that trains the bundled models on a single GPU in about eight minutes.

    python3 scripts/gpu_train.py [--out runs/gpu] [--minutes 5.5] [--quick]

Runs at once, each in its own process with its own pool of batch-making processes (the procedural
images, not the GPU, are the limit): the image JEPA variants of ``VARIANTS`` and the video stage
``VIDEO_RECIPE`` (``vjepa-tiny-photo``: the bundled vjepa-tiny trained further on half photo-motion,
half procedural clips). Then it measures each image variant on the *validation* sources (held out from
training and from the reported test split, see evaluation.md) and trains ``ijepa-tiny-decoder`` on the
best one; trains the video decoder on the new video stage, measures the new stage *and the current
bundle* on the video validation sources (procedural, photo-motion and real-footage clips), keeps the
new stage only by ``keep_video`` (a rule fixed before the run), and measures the kept one on the test
sources. The world model ``world-tiny`` trains beside them (with its decoder) and is measured by
``eval`` on held-out worlds at the end. Everything lands in ``--out``: run folders, bundles, logs and ``results.json``.

Needs only torch, numpy, Pillow, safetensors and scikit-learn (no Qt): it runs from a checkout with
``PYTHONPATH=src``, as on a lent GPU machine. The real-footage domain also needs PyAV, and the
validation domains need the locally gathered data (docs/real-footage.md: carry ``data/footage`` and the
GPL photographs, and the PyAV wheel); a domain without its data is reported as skipped and the rule
uses the domains measured. ``--quick`` is a few-minute CPU rehearsal.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# image variants run side by side; the winner on validation becomes the bundled ijepa-tiny
VARIANTS = {
    "pred192x6": ["model.predictor.predictor_embed_dim=192", "model.predictor.depth=6"],
    "pred192x4-photo75": ["model.predictor.predictor_embed_dim=192", "model.predictor.depth=4", "data.photo_fraction=0.75"],
    "pred96x3": [],
}
IMAGE_STEPS = 4000  # batch 128: 512k images, 1.3x the CPU recipe's
VIDEO_RECIPE, VIDEO_DECODER_RECIPE = "vjepa-tiny-photo", "vjepa-tiny-photo-decoder"
VIDEO_BUNDLE = "checkpoints/vjepa-tiny"  # the current bundle: the stage's init, and what it must beat
FUTURE = "future (first half -> second half)"
# the world model's batches come from one thread of numpy physics (~0.2 s each): in the time limit a GPU
# run gets about 1500 steps, 1.5x the CPU run's, with a schedule that spans them
WORLD_STEPS = 1500


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "jepa_explorer.cli", *args]


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    print("$", " ".join(cmd), f"> {log}", flush=True)
    return subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT)


def eval_json(cmd: list[str], log: Path) -> dict | None:
    """Run an `eval --json`: the report from stdout (None if it failed); stderr goes to a log beside it
    (a pipe nobody reads would stall the child once its buffer fills)."""
    return eval_json_all({log: cmd})[log]


def eval_json_all(jobs: dict[Path, list[str]]) -> dict[Path, dict | None]:
    """Several `eval --json` runs side by side (each is mostly one core's work): log -> report or None."""
    procs = {}
    for log, cmd in jobs.items():
        procs[log] = subprocess.Popen(cmd, stdout=log.open("w"), stderr=log.with_suffix(".err").open("w"), cwd=ROOT)
    return {log: (json.loads(log.read_text()) if finish(proc, log.with_suffix(".err")) else None) for log, proc in procs.items()}


def finish(proc: subprocess.Popen, log: Path) -> bool:
    ok = proc.wait() == 0
    if not ok:
        print(f"FAILED ({proc.returncode}): see {log}\n" + "".join(log.read_text().splitlines(True)[-15:]), flush=True)
    return ok


def score(report: dict) -> float:
    """The quality target's number: the worse domain's gain (training loss) over the best baseline."""
    return min(d["gain"]["loss"]["gain"] for d in report["prediction"].values())


def video_gains(report: dict) -> dict[str, float]:
    """Future-frame gain (training loss, over the best leak-free baseline) per measured domain."""
    out = {"procedural": report["prediction"][FUTURE]["gain"]["loss"]["gain"]} if "prediction" in report else {}
    for name, d in report.get("domains", {}).items():
        if "prediction" in d:
            out[name] = d["prediction"][FUTURE]["gain"]["loss"]["gain"]
    return out


def keep_video(new: dict, old: dict) -> tuple[bool, str]:
    """The rule, fixed before the run, on the validation sources only: keep the new stage if its future-frame
    gain on the worse of the real-input domains (photo-motion, real footage; those measured) beats the
    current bundle's, and its procedural future-frame gain loses at most 1 point."""
    g_new, g_old = video_gains(new), video_gains(old)
    real = [d for d in ("photo_motion", "real_footage") if d in g_new and d in g_old]
    if not real or "procedural" not in g_new or "procedural" not in g_old:
        return False, f"not enough measured domains to decide: new {sorted(g_new)}, bundle {sorted(g_old)}"
    worse_new, worse_old = min(g_new[d] for d in real), min(g_old[d] for d in real)
    drop = g_old["procedural"] - g_new["procedural"]
    keep = worse_new > worse_old and drop <= 0.01
    why = (
        f"worse real-input domain ({', '.join(real)}) {worse_new:+.1%} vs bundle {worse_old:+.1%}; "
        f"procedural {g_new['procedural']:+.1%} vs {g_old['procedural']:+.1%}"
    )
    return keep, ("kept: " if keep else "not kept: ") + why


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/gpu")
    ap.add_argument("--minutes", type=float, default=5.5, help="training time limit per run (a guard; runs end sooner)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--quick", action="store_true", help="a few steps of everything on the CPU, to rehearse")
    ap.add_argument("--video-only", action="store_true", help="only the video stage, its decoder and its evaluation")
    ap.add_argument("--video-recipe", default=VIDEO_RECIPE, help="the video stage to train (default %(default)s)")
    ap.add_argument("--video-n", type=int, default=64, help="clips per domain for the video evaluations")
    args = ap.parse_args(argv)
    out = (ROOT / args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHONPATH"] = f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    os.environ["PYTHONUNBUFFERED"] = "1"
    cores = os.cpu_count() or 2
    variants = {} if args.video_only else VARIANTS
    quick = ["--steps", "3"] if args.quick else []
    device = "cpu" if args.quick else args.device
    # one core per training process, the rest make batches: per core ~800 images/s or ~120 clips/s,
    # so a quarter of them per image variant and the rest for the video run keeps all finishing together
    free = max(len(variants) + 1, cores - len(variants) - 1)
    image_workers = max(1, (free + 1) // 4)
    video_workers = max(1, free + 1 - image_workers * len(variants) - (0 if variants else 2))
    os.environ.setdefault("OMP_NUM_THREADS", "2")  # the training processes only feed the GPU
    common = ["--device", device, "--max-minutes", str(args.minutes), *quick]
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": cores, "variants": {}}
    t0 = time.perf_counter()

    procs = {}
    for name, sets in variants.items():
        cmd = cli("train", "ijepa-tiny", "--out", str(out / name), "--export", str(out / name / "bundle"),
                  "--workers", str(image_workers), "--set", f"optim.total_steps={IMAGE_STEPS}",
                  *[a for s in sets for a in ("--set", s)], *common)  # fmt: skip
        procs[name] = start(cmd, out / f"{name}.log")
    video_cmd = cli("train", args.video_recipe, "--out", str(out / "vjepa"), "--export", str(out / "vjepa-tiny"),
                    "--workers", str(video_workers), *common)  # fmt: skip
    procs["vjepa"] = start(video_cmd, out / "vjepa.log")
    if not args.video_only:
        world_cmd = cli("train", "world-tiny", "--out", str(out / "world"), "--export", str(out / "world-tiny"),
                        "--set", f"optim.total_steps={3 if args.quick else WORLD_STEPS}", *common)  # fmt: skip
        procs["world"] = start(world_cmd, out / "world.log")
    done = {name: finish(p, out / f"{name}.log") for name, p in procs.items()}
    results["train_seconds"] = round(time.perf_counter() - t0, 1)
    print(f"training finished in {results['train_seconds']} s: {done}", flush=True)

    n = ["--n", "16", "--masks", "2"] if args.quick else []
    best, best_score = None, -1e9
    for name in variants:
        if not done[name]:
            continue
        log = out / f"val-{name}.json"
        cmd = cli("eval", str(out / name / "bundle"), "--split", "validation", "--no-probe", "--json", "--device", device, *n)
        report = eval_json(cmd, log)
        if report is not None:
            s = score(report)
            entry = {"overrides": VARIANTS[name], "validation_min_gain": s, "validation": report["prediction"]}
            results["variants"][name] = entry
            print(f"{name}: validation gain (worse domain) {s:+.3f}", flush=True)
            if s > best_score:
                best, best_score = name, s
    results["best"] = best
    if best:
        bundle = out / best / "bundle"
        dec = cli("train", "ijepa-tiny-decoder", "--out", str(out / "decoder"), "--export", str(out / "ijepa-tiny-decoder"),
                  "--set", f"jepa={bundle}", "--workers", str(max(1, cores - 2)), *common)  # fmt: skip
        results["decoder_ok"] = finish(start(dec, out / "decoder.log"), out / "decoder.log")
    if done.get("vjepa"):
        dec = cli("train", VIDEO_DECODER_RECIPE, "--out", str(out / "vjepa-decoder"), "--export", str(out / "vjepa-tiny-decoder"),
                  "--set", f"jepa={out / 'vjepa-tiny'}", "--workers", str(max(1, cores - 2)), *common)  # fmt: skip
        results["video_decoder_ok"] = finish(start(dec, out / "vjepa-decoder.log"), out / "vjepa-decoder.log")
        n_video = ["--n", "4" if args.quick else str(args.video_n), "--no-probe"]
        # validation: the new stage and the current bundle on the same clips, each with its own decoder
        candidates = {
            "new": (out / "vjepa-tiny", out / "vjepa-tiny-decoder"),
            "bundle": (ROOT / VIDEO_BUNDLE, ROOT / "checkpoints" / "vjepa-tiny-decoder"),
        }
        jobs = {}
        for name, (bundle, decoder) in candidates.items():
            with_decoder = ["--decoder", str(decoder)] if decoder.exists() else []
            cmd = cli("eval", str(bundle), "--split", "validation", "--json", "--device", device, *n_video, *with_decoder)
            jobs[out / f"vjepa-val-{name}.json"] = cmd
        reports = eval_json_all(jobs)
        val = {name: reports[out / f"vjepa-val-{name}.json"] for name in candidates}
        if val["new"] is not None and val["bundle"] is not None:
            keep, why = keep_video(val["new"], val["bundle"])
            results["video_validation"] = {name: video_gains(r) for name, r in val.items()}
            results["video_kept"], results["video_rule"] = keep, why
            print(f"video stage {args.video_recipe}: {why}", flush=True)
        # the test sources, for the card: only of the stage the rule kept (the bundle's are on its card)
        if results.get("video_kept"):
            cmd = cli("eval", str(out / "vjepa-tiny"), "--json", "--device", device, *n_video,
                      "--decoder", str(out / "vjepa-tiny-decoder"))  # fmt: skip
            report = eval_json(cmd, out / "vjepa-eval.json")
            if report is not None:
                results["vjepa_eval"] = report
    if done.get("world"):
        small = ["--plan-episodes", "2", "--no-planning"] if args.quick else []
        report = eval_json(cli("eval", str(out / "world-tiny"), "--json", "--device", device, *small), out / "world-eval.json")
        if report is not None:
            results["world_eval"] = report
    results["total_seconds"] = round(time.perf_counter() - t0, 1)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"best image variant: {best} ({best_score:+.3f}); all done in {results['total_seconds']} s", flush=True)
    return 0 if (best or args.video_only) and done.get("vjepa") else 1


if __name__ == "__main__":
    raise SystemExit(main())
