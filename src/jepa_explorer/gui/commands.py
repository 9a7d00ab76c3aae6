"""`jepa-explorer gui` and `jepa-explorer screenshot`, registered into the CLI by `cli._register_optional`."""

from __future__ import annotations


def cmd_gui(args) -> int:
    from jepa_explorer.gui.app import run_gui

    return run_gui(args.checkpoint, args.image, args.scene, args.device, args.presentation)


def cmd_screenshot(args) -> int:
    from jepa_explorer.gui.app import screenshot

    out = screenshot(args.out, args.size, args.scene, args.checkpoint, args.image, presentation=args.presentation, step=args.step,
                     world=args.world)  # fmt: skip
    print(f"wrote {out}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("gui", help="open the app: paint masks, see predictions live")
    p.add_argument("--checkpoint", "-c", default=None, help="checkpoint to load (default: the bundled model)")
    p.add_argument("--image", "-i", default=None, help="image to open")
    p.add_argument("--scene", default=None, help="scene JSON to open")
    p.add_argument("--device", default=None, help="auto (default), cpu, cuda or mps")
    p.add_argument("--presentation", action="store_true", help="start in presentation mode (full screen, large fonts)")
    p.set_defaults(func=cmd_gui)

    p = subparsers.add_parser("screenshot", help="render the app offscreen after the first prediction and save a PNG")
    p.add_argument("--out", "-o", required=True, help="PNG to write")
    p.add_argument("--scene", default=None, help="scene JSON to open")
    p.add_argument("--size", default="1280x800", help="window size WIDTHxHEIGHT (default 1280x800)")
    p.add_argument("--checkpoint", "-c", default=None)
    p.add_argument("--image", "-i", default=None)
    p.add_argument("--presentation", action="store_true", help="render in presentation mode")
    p.add_argument("--step", type=int, default=0, help="show this stage (1-5) of the step-through (F5)")
    p.add_argument("--world", action="store_true", help="world-model mode (F3): a drive, a teleport, an imagined path, a plan")
    p.set_defaults(func=cmd_screenshot)
