"""The strict model base every config file is read into: an unknown key is an error (a typo
never passes silently) and a loaded config cannot be changed by the code that reads it; and the
checked types of values that reach e-mail headers (addresses, names), shared by every file."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- values that end up in e-mail headers: checked when the file is read, so `scs check` catches
# what sending would otherwise trip over days later ------------------------------------------

_EMAIL_SHAPE = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+\.[^@\s<>,;\"()\[\]\\.]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _email(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(f"{value!r} has a line break or control character in it; an e-mail address is one line")
    if not _EMAIL_SHAPE.match(value) or ".." in value.partition("@")[2]:
        raise ValueError(f"'{value}' is not an e-mail address (expected name@domain, e.g. clerk@breckland.gov.uk)")
    return value


def _optional_email(value: str) -> str:
    return value if value == "" else _email(value)


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(f"{value!r} has a line break or control character in it; write it on one line "
                         "(it goes into e-mail headers)")
    return value


#: an address mail is sent to
Email = Annotated[str, AfterValidator(_email)]
#: an address, or "" for someone who receives nothing by e-mail
OptionalEmail = Annotated[str, AfterValidator(_optional_email)]
#: a name or title that goes into an e-mail header: one line, no control characters
OneLine = Annotated[str, AfterValidator(_one_line)]


# --- paths written in config: a setting never sends a write (or a read) outside the cycle's folders ---

def _path_text(value: str) -> str:
    if _CONTROL.search(value) or not value.strip():
        raise ValueError(f"{value!r} is not a usable path (empty, or a line break or control character in it)")
    return value.replace("\\", "/")


def _is_absolute(value: str) -> bool:
    return value.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", value) is not None


def _inside(folder: str):
    """A check that a path stays inside ``folder`` (the folder its setting is relative to): no
    absolute path, no ``..`` climbing out."""
    def check(value: str) -> str:
        text = _path_text(value)
        if _is_absolute(text):
            raise ValueError(f"'{value}' is an absolute path; give a path inside {folder}")
        if posixpath.normpath(text).split("/")[0] == "..":
            raise ValueError(f"'{value}' climbs out of {folder} (..); give a path inside it")
        return value
    return check


def _folder(value: str) -> str:
    """A folder setting: an absolute folder the officer names on purpose, or a relative one that stays
    inside the cycle's folder (the one that holds config/)."""
    text = _path_text(value)
    if _is_absolute(text):
        if text.startswith("~"):
            raise ValueError(f"'{value}': write the folder out in full (~ is not expanded)")
        return value
    if posixpath.normpath(posixpath.join("config", text)).split("/")[0] == "..":
        raise ValueError(f"'{value}' leaves the cycle's folder (the one holding config/); move the folder inside "
                         "it, or give its absolute path")
    return value


#: a folder inside the out folder (the outbox)
OutPath = Annotated[str, AfterValidator(_inside("the out folder"))]
#: a file inside the evidence folder (evidence_dir)
EvidencePath = Annotated[str, AfterValidator(_inside("the evidence folder (evidence_dir)"))]
#: a folder relative to the config folder, inside the cycle's folder, or absolute on purpose
FolderPath = Annotated[str, AfterValidator(_folder)]


def within(base: Path, relative: str) -> Path | None:
    """``base / relative`` with links resolved, or None when that lands outside ``base`` (a linked folder)."""
    target = (Path(base) / relative).resolve()
    return target if target.is_relative_to(Path(base).resolve()) else None
