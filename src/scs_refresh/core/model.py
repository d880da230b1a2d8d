"""The strict model base every config file is read into: an unknown key is an error (a typo
never passes silently) and a loaded config cannot be changed by the code that reads it; and the
checked types of values that reach e-mail headers (addresses, names), shared by every file."""

from __future__ import annotations

import re
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

