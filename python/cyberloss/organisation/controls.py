"""Security and continuity controls of an organisation (``[organisation.controls]``)."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import config
from ..config import documents


@dataclasses.dataclass(frozen=True)
class Controls:
    """Security and continuity controls in place (all off unless stated).

    ``downtime_scale`` is a BCP target: every downtime is multiplied by it (0.5 = "downtime
    halved").  The factors each control applies are in ``data/components.json``; the fields
    are described by ``config.documents.CONTROLS``.
    """

    offline_backups: bool = False
    restore_drills: bool = False
    mfa_remote_access: bool = False
    edr: bool = False
    ir_retainer: bool = False
    downtime_scale: float = 1.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = documents.CONTROLS.field(f.name).parse(getattr(self, f.name), f"controls.{f.name}")
            object.__setattr__(self, f.name, value)

    @staticmethod
    def names() -> tuple[str, ...]:
        """The control names (every field but downtime_scale), in schema order."""
        return tuple(f.name for f in dataclasses.fields(Controls) if f.name != "downtime_scale")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], where: str = "controls") -> "Controls":
        """From a table such as ``[organisation.controls]``; unknown names are refused under ``where``."""
        return cls(**config.check_table(mapping, documents.CONTROLS, where))

    def enabled(self) -> tuple[str, ...]:
        """The names of the controls in place."""
        return tuple(n for n in self.names() if getattr(self, n))

    def with_(self, **changes: Any) -> "Controls":
        """A copy with some controls changed, e.g. ``c.with_(edr=True)`` (checked like a table)."""
        return Controls.from_mapping({**dataclasses.asdict(self), **changes})
