"""`facecast avatar add|list|rm`: manage the avatar store on this machine (the one `facecast serve`
uses with the same --avatar-dir)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from runtime.errors import InvalidConfigError
from service.cli.quiet import native_stderr_silenced


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("avatar", help="add, list or remove stored avatars",
                                 description="Manage the avatar store (default: the user cache dir).")
    parser.add_argument("--avatar-dir", help="the store's folder (default: the user cache dir, like serve)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="analyse a portrait and store it; prints its id")
    add.add_argument("image", type=Path, help="JPEG, PNG, WebP, BMP, GIF or TIFF with one face")
    add.add_argument("--name", default="", help="display name")
    actions.add_parser("list", help="list stored avatars, oldest first")
    remove = actions.add_parser("rm", help="remove an avatar")
    remove.add_argument("avatar_id")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from runtime.face.avatar_store import AvatarStore  # imported here: it loads MediaPipe

    with native_stderr_silenced():
        return _act(args, AvatarStore)


def _act(args: argparse.Namespace, store_type: type) -> int:
    with store_type(args.avatar_dir or None) as store:
        if args.action == "add":
            if not args.image.is_file():
                raise InvalidConfigError(f"{args.image}: no such file")
            avatar, warnings = store.create(args.image.read_bytes(), args.name or args.image.stem)
            for warning in warnings:
                print(f"warning: {warning}")
            print(avatar.avatar_id)
        elif args.action == "list":
            for avatar in store.list():
                created = time.strftime("%Y-%m-%d %H:%M", time.localtime(avatar.created_unix_s))
                print(f"{avatar.avatar_id}  {avatar.width}x{avatar.height}  {created}  {avatar.display_name}")
        else:
            store.delete(args.avatar_id)
            print(f"removed {args.avatar_id}")
    return 0
