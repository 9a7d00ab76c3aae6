"""CLI commands of the training package: `train` and `eval`."""

from __future__ import annotations

import json
import os

from jepa_explorer.argtypes import positive, whole


def _train(args) -> int:
    from jepa_explorer.train.loop import train_main

    return train_main(
        args.recipe, args.out, args.resume, args.device, args.steps, args.export, args.set, args.workers, args.max_minutes
    )


def _probe_sizes(args, defaults: tuple[int, int]) -> tuple[int, int]:
    """--probe-train / --probe-test, each falling back to the evaluation's own default."""
    return (args.probe_train or defaults[0], args.probe_test or defaults[1])


def _eval(args) -> int:
    from jepa_explorer.checkpoints.load import load_model
    from jepa_explorer.errors import JepaError
    from jepa_explorer.train import cards

    if args.write_card and args.split != "test":
        raise JepaError("eval: --write-card stores the test split's numbers; validation numbers only choose checkpoints.")

    if _is_world(args.checkpoint):
        return _eval_world(args)
    if load_model(args.checkpoint, "cpu").config.encoder.video:
        from jepa_explorer.resources import default_checkpoint
        from jepa_explorer.train.eval_video import DOMAINS, MOTION_PROBE_SIZES, evaluate_video

        image_model = args.image_model or default_checkpoint()
        if image_model is not None and not args.image_model:  # the bundled one, named as the card should name it
            image_model = os.path.relpath(image_model)
        report = evaluate_video(
            args.checkpoint,
            n_clips=args.n,
            image_model=image_model,
            probe=None if args.no_probe else _probe_sizes(args, MOTION_PROBE_SIZES),
            device=args.device,
            seed=args.seed,
            decoder=args.decoder,
            split=args.split,
            domains=tuple(args.domains.split(",")) if args.domains else DOMAINS,
        )
        text = cards.format_video_report(report)
        measured = [args.checkpoint, args.decoder]
    else:
        from jepa_explorer.train.eval import PROBE_SIZES, evaluate

        report = evaluate(
            args.checkpoint,
            n_images=args.n,
            masks_per_image=args.masks,
            mae=args.mae,
            decoder=args.decoder,
            probe_sizes=None if args.no_probe else _probe_sizes(args, PROBE_SIZES),
            device=args.device,
            seed=args.seed,
            split=args.split,
        )
        text = cards.format_report(report)
        # the MAE's and decoder's cards carry the same report: their PSNRs are measured in it
        measured = [args.checkpoint, args.mae, args.decoder]
    if args.write_card:
        for path in filter(None, measured):
            cards.write_metrics(path, report)
    print(json.dumps(report, indent=1, default=str) if args.json else text)
    return 0


def _is_world(checkpoint: str) -> bool:
    from pathlib import Path

    card = Path(checkpoint) / "card.json" if Path(checkpoint).is_dir() else Path(checkpoint).parent / "card.json"
    try:
        return json.loads(card.read_text(encoding="utf-8")).get("kind") == "world"
    except (OSError, ValueError):
        return False


def _eval_world(args) -> int:
    from jepa_explorer.train.eval_world import evaluate_world, format_world_report
    from jepa_explorer.train.world_card import write_world_metrics

    report = evaluate_world(
        args.checkpoint, seed=args.seed, device=args.device or "cpu", planning=not args.no_planning,
        n_plan=args.plan_episodes, decoder=args.decoder, split=args.split,
    )  # fmt: skip
    if args.write_card:
        write_world_metrics(args.checkpoint, report, report.get("decoder_path"))
    print(json.dumps(report, indent=1, default=str) if args.json else format_world_report(report))
    return 0


def register(sub) -> None:
    p = sub.add_parser("train", help="train a bundled model from a recipe (resumable)")
    p.add_argument(
        "recipe",
        help="a recipe name (ijepa-tiny, vjepa-tiny, world-tiny, mae-tiny, or a stage such as vjepa-tiny-photo: "
        "src/jepa_explorer/train/recipes) or a .json file",
    )
    p.add_argument("--out", default=None, help="run folder (default runs/NAME)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument(
        "--steps", type=whole(1, 10**9), default=None, help="stop after this many steps (the schedule still spans the recipe's)"
    )
    p.add_argument("--export", default=None, help="write the bundle (safetensors + card) here when done")
    p.add_argument("--device", default=None)
    p.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a recipe entry, e.g. model.predictor.depth=6"
    )
    p.add_argument(
        "--workers",
        type=whole(0, 256),
        default=0,
        help="processes making batches (0: one thread; a GPU wants about one per core)",
    )
    p.add_argument("--max-minutes", type=positive(), default=None, help="stop (and save) after this long; --resume continues")
    p.set_defaults(func=_train)

    p = sub.add_parser("eval", help="measure a JEPA on held-out sources against leak-free baselines")
    p.add_argument("checkpoint")
    p.add_argument("--n", type=whole(1, 1_000_000), default=200, help="held-out images per domain")
    p.add_argument("--masks", type=whole(1, 64), default=4, help="multiblock masks per image")
    p.add_argument("--mae", default=None, help="MAE bundle for the pixel comparison")
    p.add_argument("--decoder", default=None, help="decoder bundle for the pixel comparison")
    p.add_argument(
        "--image-model", default=None, help="video eval: the single-frame encoder for the motion probe (default: bundled)"
    )
    p.add_argument("--no-probe", action="store_true")
    p.add_argument(
        "--probe-train", type=whole(1, 10**7), default=None, help="probe training samples (default: 600 images, 1024 clips)"
    )
    p.add_argument("--probe-test", type=whole(1, 10**7), default=None, help="probe test samples (default: 400 images, 512 clips)")
    p.add_argument("--seed", type=whole(0, 2**32 - 1), default=0)
    p.add_argument(
        "--split",
        choices=("test", "validation"),
        default="test",
        help="test: the held-out sources the card reports; validation: other held-out sources, for choosing checkpoints",
    )
    p.add_argument(
        "--domains",
        default=None,
        help="video eval: comma-separated held-out domains (default procedural,photo_motion,real_footage)",
    )
    p.add_argument("--device", default=None)
    p.add_argument("--write-card", action="store_true", help="store the metrics in the checkpoint's card.json")
    p.add_argument("--no-planning", action="store_true", help="world model: skip the (slow) planning episodes")
    p.add_argument("--plan-episodes", type=int, default=16, help="world model: planning episodes per task (default 16)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_eval)
