"""Plot set-up shared by the CLI and notebooks: a Japanese-capable font for 万円 / 億円 labels."""
from __future__ import annotations

from pathlib import Path

from ._extras import require

# Debian's fonts-ipaexfont-gothic (installed by `make`); other common locations as fallbacks.
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def use_japanese_font() -> str | None:
    """Register and select a font with Japanese glyphs; returns its name, or None if none found."""
    require("matplotlib", "plotting")
    from matplotlib import font_manager, rcParams

    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            font_manager.fontManager.addfont(candidate)
            name = font_manager.FontProperties(fname=candidate).get_name()
            rcParams["font.family"] = ["sans-serif"]
            rcParams["font.sans-serif"] = [name, *rcParams["font.sans-serif"]]
            return name
    return None


def pyplot():
    """matplotlib.pyplot with the Agg backend when no display is set, and a Japanese font."""
    import os

    matplotlib = require("matplotlib", "plotting")
    if not os.environ.get("DISPLAY") and "ipykernel" not in matplotlib.get_backend():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    use_japanese_font()
    return plt
