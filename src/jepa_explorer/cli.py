"""`jepa-explorer`: gui | info | predict | bench (and more as they land).

Errors print one line and exit non-zero; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

from jepa_explorer.argtypes import OneLineParser, whole
from jepa_explorer.errors import JepaError

# numpy's and scipy's OpenBLAS: one thread. Each library reads this when it loads, so it is set before anything
# imports numpy. The app's matrices are tiny, and an idle OpenBLAS thread keeps spinning after every call: on a
# 2-core machine it took ~12% of a core from the UI thread during brush strokes (perf, 4 bench runs). A value
# the user set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _add_model_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--checkpoint", "-c", required=required, help="official .pth.tar, bundle folder, or safetensors file")
    p.add_argument("--device", default=None, help="auto (default), cpu, cuda or mps")
    p.add_argument("--heads", type=whole(1, 256), default=None, help="attention heads, for widths outside the official sizes")
    p.add_argument(
        "--frames", type=whole(1, 10_000), default=None, help="frames, for video checkpoints whose frame count is ambiguous"
    )


def _load(args):
    from jepa_explorer.checkpoints.load import load_model

    return load_model(args.checkpoint, args.device, num_heads=args.heads, num_frames=args.frames)


# ---------------------------------------------------------------- info


def model_info(model) -> dict:
    enc = model.config.encoder
    return {
        "path": str(model.path),
        "family": model.config.family,
        "device": str(model.device),
        "present": {
            "encoder": True,
            "target_encoder": model.target_encoder is not model.encoder,
            "predictor": model.predictor is not None,
        },
        "parameters": model.parameter_counts(),
        "patch_grid": list(enc.grid_shape),
        "input": {
            "size": enc.img_size,
            "frames": enc.num_frames if enc.video else 1,
            "mean": list(model.config.mean),
            "std": list(model.config.std),
        },
        "training_loss": model.config.loss,
        "architecture": model.config.to_dict(),
        "notes": model.notes,
        "card": model.card,
    }


def _print_info(info: dict) -> None:
    arch = info["architecture"]
    enc, pred = arch["encoder"], arch["predictor"]
    t, h, w = info["patch_grid"]
    print(f"{info['path']}")
    print(f"  family        {info['family']} ({'video' if enc['video'] else 'image'})")
    kind = (
        f"{enc['num_frames']} frames × {enc['img_size']}² px, tubelet {enc['tubelet_size']}"
        if enc["video"]
        else f"{enc['img_size']}² px"
    )
    print(f"  input         {kind}, patch {enc['patch_size']} -> grid {t}×{h}×{w} = {t * h * w} patches")
    print(
        f"  encoder       ViT {enc['embed_dim']} wide, {enc['depth']} deep, {enc['num_heads']} heads, "
        f"{info['parameters']['encoder'] / 1e6:.2f} M parameters"
    )
    present = info["present"]
    print(f"  target enc.   {'present (EMA)' if present['target_encoder'] else 'absent (the context encoder stands in)'}")
    if pred:
        print(
            f"  predictor     {pred['style']}: {pred['predictor_embed_dim']} wide, {pred['depth']} deep, "
            f"{pred['num_heads']} heads, "
            f"{info['parameters']['predictor'] / 1e6:.2f} M parameters"
        )
    else:
        print("  predictor     absent: prediction unavailable, features still usable")
    print(f"  loss          {info['training_loss']}; normalisation mean {info['input']['mean']} std {info['input']['std']}")
    for note in info["notes"]:
        print(f"  note          {note}")
    card = {k: v for k, v in info["card"].items() if k not in ("architecture",)}
    if card:
        print("  card")
        for key, value in card.items():
            text = json.dumps(value) if not isinstance(value, str) else value
            print(f"    {key}: {text if len(text) < 200 else text[:197] + '...'}")


def cmd_info(args) -> int:
    model = _load(args)
    if getattr(model, "kind", "jepa") == "world":  # an action-conditioned world model: no patch grid or masks
        info = {"path": str(model.path), "family": "world", "parameters": model.parameter_counts(),
                "architecture": model.config.to_dict(), "notes": model.notes, "card": model.card}  # fmt: skip
        print(json.dumps(info, indent=1, default=str))
        return 0
    info = model_info(model)
    print(json.dumps(info, indent=1, default=str)) if args.json else _print_info(info)
    return 0


# ---------------------------------------------------------------- predict


def cmd_predict(args) -> int:
    import numpy as np

    from jepa_explorer.engine.session import Session, require_masked_model
    from jepa_explorer.fileio import atomic_open
    from jepa_explorer.masks.generators import check_spec, generate, is_mask_file
    from jepa_explorer.media.images import load_image

    if not is_mask_file(args.mask):
        check_spec(args.mask)  # a bad spec fails before the model loads
    model = _load(args)
    require_masked_model(model)
    if model.config.encoder.video:
        raise JepaError(
            f"{args.checkpoint}: a video model; `predict --image` takes image models (video input comes with the video issue)."
        )
    session = Session(model)
    session.set_input(load_image(args.image))
    masks = generate(args.mask, session.grid_shape)
    result = session.predict(masks)
    feats = session.features
    arrays = result.to_arrays(feats.actual, feats.pca.project(feats.actual), feats.pixels)
    arrays.update(
        pca_components=feats.pca.components,
        pca_mean=feats.pca.mean,
        pca_explained_variance_ratio=feats.pca.explained_variance_ratio,
    )
    if args.out:
        out = Path(args.out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if out.suffix != ".npz":  # as numpy names a file it is given by path
                out = out.with_name(out.name + ".npz")
            with atomic_open(out) as f:  # a failed write keeps the previous result file whole
                np.savez_compressed(f, **arrays)
        except OSError as e:
            raise JepaError(f"{out}: cannot write the result ({e.strerror}).") from None
    if args.json:
        print(
            json.dumps(
                {"checkpoint": str(model.path), "image": args.image, "mask": args.mask, "out": args.out, **result.to_json()},
                indent=1,
            )
        )
    else:
        s = result.summary
        stats = masks.stats()
        print(
            f"masks: {stats['context_patches']} context patches ({stats['context_fraction']:.0%}), "
            f"{stats['target_patches']} target patches in {stats['target_groups']} groups"
        )
        print(f"{'':18}{'loss':>10}{'L2':>10}{'cosine':>10}   (mean over target patches)")
        for name, metrics in s.items():
            print(f"{name:18}" + "".join(f"{metrics[m]['mean']:10.4f}" for m in ("loss", "l2", "cosine")))
        print(f"gain vs best baseline (loss): {result.gain('loss'):+.1%}")
        if args.out:
            print(f"wrote {args.out}")
    return 0


# ---------------------------------------------------------------- bench


def cmd_bench(args) -> int:
    if args.gui_soak:  # its own run: the same through the window, its app model and worker (bench/gui_soak.py)
        from jepa_explorer.bench.gui_soak import run_gui_soak

        report = run_gui_soak(args.gui_soak)
        print(json.dumps(report, indent=1) if args.json else "\n".join(f"{k:26} {v}" for k, v in report.items()))
        return 0
    if args.soak:  # its own run: memory over many model switches (bench/soak.py)
        from jepa_explorer.bench.soak import run_soak

        report = run_soak(args.soak, cache=not args.soak_no_cache, device=args.device or "cpu")
        print(json.dumps(report, indent=1) if args.json else "\n".join(f"{k:26} {v}" for k, v in report.items()))
        return 0
    from jepa_explorer.bench.engine import run_bench

    report = run_bench(args.checkpoint, args.image, args.edits, args.device)
    if not args.no_video:
        from jepa_explorer.bench.engine import run_video_bench

        report["video"] = run_video_bench(args.video_checkpoint, args.clip, min(40, args.edits), args.device)
    if not args.no_world:  # the world mode's latencies (imagined step, plan, driving step): bench/world.py
        from jepa_explorer.bench.world import run_world_bench

        report["world"] = run_world_bench(args.world_checkpoint, args.device or "cpu")
    if not args.no_gui:
        try:
            from jepa_explorer.bench.gui import run_gui_bench
        except ImportError as e:  # a core-only install: say so in the report rather than fail
            report["gui"] = {"skipped": f"GUI not importable: {e}"}
        else:
            report["gui"] = run_gui_bench(args.checkpoint, args.image, strokes=args.gui_strokes)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for key, value in report.items():
            print(f"{key:24} {value:.2f}" if isinstance(value, float) else f"{key:24} {value}")
    return 0


# ---------------------------------------------------------------- main


def _register_optional(sub) -> None:
    """Commands owned by other subpackages (GUI, training) register themselves when present."""
    import importlib

    for module in (
        "jepa_explorer.gui.commands",
        "jepa_explorer.train.commands",
        "jepa_explorer.doctor",
        "jepa_explorer.lesson.commands",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:  # the module exists but something it imports is missing
                raise
            continue
        mod.register(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="jepa-explorer", description="See what a JEPA predicts.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command")
    _register_optional(sub)

    p = sub.add_parser("info", help="architecture, parameters, patch grid and card of a checkpoint")
    _add_model_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("predict", help="predict target embeddings for an image and masks")
    _add_model_args(p)
    p.add_argument("--image", "-i", required=True)
    p.add_argument(
        "--mask",
        "-m",
        default="multiblock:seed=0",
        help="generator spec (multiblock:seed=3, random:ratio=0.75,seed=0, block:scale=0.3, centre, half:side=right) "
        "or a mask PNG",
    )
    p.add_argument("--out", "-o", default=None, help="result .npz")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("bench", help="latency and memory figures as JSON")
    p.add_argument("--checkpoint", "-c", default=None, help="default: the bundled default model")
    p.add_argument("--image", "-i", default=None)
    p.add_argument("--edits", type=whole(1, 1_000_000), default=100)
    p.add_argument("--no-gui", action="store_true", help="skip the GUI responsiveness run (scripted brush stroke)")
    p.add_argument("--gui-strokes", type=whole(1, 1000), default=3, help="how many times the scripted stroke runs (default 3)")
    p.add_argument("--no-video", action="store_true", help="skip the video figures (clip encode, edit on a clip)")
    p.add_argument("--video-checkpoint", default=None, help="default: the bundled video model")
    p.add_argument("--no-world", action="store_true", help="skip the world-model figures (imagined step, plan, drive step)")
    p.add_argument("--world-checkpoint", default=None, help="default: the bundled world-tiny")
    p.add_argument("--clip", default=None, help="default: the first bundled clip")
    p.add_argument("--device", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--soak", type=whole(3, 10_000), default=None, metavar="N", help="instead: N image<->video switches; RSS drift"
    )
    p.add_argument("--soak-no-cache", action="store_true", help="soak without the live-model cache (every switch re-traces)")
    p.add_argument(
        "--gui-soak", type=whole(3, 10_000), default=None, metavar="N",
        help="instead: N photo<->clip switches with edits through the offscreen window; RSS drift",
    )  # fmt: skip
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if "gui" in parser._subparsers._group_actions[0].choices:  # no arguments: open the app
            args = parser.parse_args(["gui", *(argv or [])])
        else:
            parser.print_help()
            return 0
    try:
        with warnings.catch_warnings():
            if not args.debug:  # library warnings are noise beside our one-line errors; --debug shows them
                warnings.simplefilter("ignore")
            return args.func(args)
    except JepaError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except Exception as e:  # a bug, not bad input: still one line unless --debug
        if args.debug:
            raise
        print(f"internal error: {type(e).__name__}: {e} (run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
