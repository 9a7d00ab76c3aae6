#!/usr/bin/env python3
"""One command that trains the bundled models on a single GPU in about eight minutes.

    python3 scripts/gpu_train.py [--out runs/gpu] [--minutes 5.5] [--quick]

Runs at once, each in its own process with its own pool of batch-making processes (the procedural
images, not the GPU, are the limit): the image JEPA variants of ``VARIANTS``, ``vjepa-tiny`` and the
world model ``world-tiny`` (with its decoder; measured by ``eval`` on held-out worlds at the end).
Then it measures each image variant on the *validation* sources (held out from training and from the
reported test split, see evaluation.md), trains ``ijepa-tiny-decoder`` on the best one, and measures
the video model. Everything lands in ``--out``: run folders, bundles, logs and ``results.json``.

Needs only torch, numpy, Pillow, safetensors and scikit-learn (no Qt, no PyAV): it runs from a
checkout with ``PYTHONPATH=src``, as on a lent GPU machine. ``--quick`` is a two-minute CPU rehearsal.
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
    errors = log.with_suffix(".err")
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=errors.open("w"), cwd=ROOT)
    return json.loads(log.read_text()) if finish(proc, errors) else None


def finish(proc: subprocess.Popen, log: Path) -> bool:
    ok = proc.wait() == 0
    if not ok:
        print(f"FAILED ({proc.returncode}): see {log}\n" + "".join(log.read_text().splitlines(True)[-15:]), flush=True)
    return ok


def score(report: dict) -> float:
    """The quality target's number: the worse domain's gain (training loss) over the best baseline."""
    return min(d["gain"]["loss"]["gain"] for d in report["prediction"].values())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/gpu")
    ap.add_argument("--minutes", type=float, default=5.5, help="training time limit per run (a guard; runs end sooner)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--quick", action="store_true", help="a few steps of everything on the CPU, to rehearse")
    ap.add_argument("--video-only", action="store_true", help="only vjepa-tiny, its decoder and its evaluation")
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
    video_cmd = cli("train", "vjepa-tiny", "--out", str(out / "vjepa"), "--export", str(out / "vjepa-tiny"),
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
        dec = cli("train", "vjepa-tiny-decoder", "--out", str(out / "vjepa-decoder"), "--export", str(out / "vjepa-tiny-decoder"),
                  "--set", f"jepa={out / 'vjepa-tiny'}", "--workers", str(max(1, cores - 2)), *common)  # fmt: skip
        results["video_decoder_ok"] = finish(start(dec, out / "vjepa-decoder.log"), out / "vjepa-decoder.log")
        log = out / "vjepa-eval.json"
        small = ["--n", "8", "--no-probe"] if args.quick else []
        cmd = cli("eval", str(out / "vjepa-tiny"), "--json", "--device", device, *small)
        report = eval_json(cmd, log)
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
