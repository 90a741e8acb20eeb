"""`facecast avatar add|list|rm`: manage the avatar store on this machine (the one `facecast serve`
uses with the same --avatar-dir)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from runtime.errors import InvalidConfigError
from service.quiet import native_stderr_silenced

LIST_COLUMNS = "{id:32}  {size:>9}  {created:16}  {name}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Manage the avatar store (default: the user cache dir)."
    parser.add_argument("--avatar-dir", help="the store's folder (default: the user cache dir, like serve)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="analyse a portrait and store it; prints its id")
    add.add_argument("image", type=Path, help="JPEG, PNG, WebP, BMP, GIF or TIFF with one face")
    add.add_argument("--name", help="display name (default: the file's name)")
    actions.add_parser("list", help="list stored avatars, oldest first")
    remove = actions.add_parser("rm", help="remove an avatar")
    remove.add_argument("avatar_id")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "add" and not args.image.is_file():
        raise InvalidConfigError(f"{args.image}: no such file")  # at once, before MediaPipe loads
    from runtime.face.avatar_store import AvatarStore  # imported here: it loads MediaPipe

    with AvatarStore(args.avatar_dir or None) as store:
        if args.action == "add":
            _add(store, args.image, args.name)
        elif args.action == "list":
            _list(store)
        else:
            store.delete(args.avatar_id)
            print(f"removed {args.avatar_id}")
    return 0


def _add(store, image: Path, name: str | None) -> None:
    with native_stderr_silenced():  # MediaPipe's start-up chatter
        avatar, warnings = store.create(image.read_bytes(), name or image.stem)
    if name is not None and avatar.display_name != name:  # the store keeps an image once, under its first name
        warnings = (*warnings, f"this image is already stored as {avatar.avatar_id} named {avatar.display_name!r}; "
                               f"--name {name!r} is not applied (rm it and add it again to rename it)")
    for warning in warnings:
        print(f"warning: {warning}")
    print(avatar.avatar_id)


def _list(store) -> None:
    avatars = store.list()
    if not avatars:
        print(f"no avatars in {store.directory}", file=sys.stderr)
        return
    print(LIST_COLUMNS.format(id="ID", size="SIZE", created="CREATED", name="NAME"))
    for avatar in avatars:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(avatar.created_unix_s))
        print(LIST_COLUMNS.format(id=avatar.avatar_id, size=f"{avatar.width}x{avatar.height}", created=created,
                                  name=avatar.display_name))
