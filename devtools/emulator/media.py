"""Placeholder files: a photo or document with a name and a fake (but stable, reusable) file_id, no bytes."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

MediaKind = Literal["photo", "document"]
PHOTO_SIZE = (640, 480)  # every placeholder photo has one size, as a PhotoSize
_files: Iterator[int] = itertools.count(1)


@dataclass(frozen=True)
class Media:
    """A placeholder file: no bytes, a name and a fake (but stable, reusable) file_id."""

    kind: MediaKind
    file_name: str
    file_id: str
    file_unique_id: str

    @classmethod
    def new(cls, kind: MediaKind, file_name: str) -> "Media":
        number = next(_files)
        return cls(kind, file_name, f"emu-{kind}-{number:06d}", f"emu{number:06d}")

    def to_api(self) -> dict[str, Any]:
        if self.kind == "photo":
            width, height = PHOTO_SIZE
            size = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
            return {"photo": [{**size, "width": width, "height": height, "file_size": 1024}]}
        document = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
        }
        return {"document": {**document, "mime_type": "application/octet-stream", "file_size": 1024}}


def placeholder(content: dict[str, Any]) -> dict[str, Any]:
    """`content` with `photo="name"` or `document="name"` turned into a new placeholder `media`."""
    kinds: tuple[MediaKind, ...] = ("photo", "document")
    named = [(kind, content[kind]) for kind in kinds if content.get(kind)]
    rest = {key: value for key, value in content.items() if key not in kinds}
    return rest | ({"media": Media.new(*named[0])} if named else {})
