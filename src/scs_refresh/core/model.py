"""The strict model base every config file is read into: an unknown key is an error (a typo
never passes silently) and a loaded config cannot be changed by the code that reads it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
