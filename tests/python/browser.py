"""Headless Chromium (Debian's ``chromium``) driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file descriptors 3 and
4), for the report tests: load a page, take a full-page screenshot, and find the characters
that no font used for them can draw (they would show as boxes).

Which fonts drew a node's text comes from ``CSS.getPlatformFontsForNode``; whether a font has
a glyph for a character is read from the font file (fontconfig names the file, FreeType's
character map through matplotlib's ``FT2Font`` answers).  A character that no font has is
drawn with the first font's .notdef glyph — the box — and counted under that font, so the
check is: every character of a node's text is in the character map of one of its fonts.
"""
from __future__ import annotations

import base64
import fcntl
import functools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from matplotlib.ft2font import FT2Font

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, timeout: float = 60.0):
        if CHROMIUM is None:
            raise RuntimeError("chromium is not installed (Debian package chromium; `make` installs it)")
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="cyberloss-chromium-")
        # chromium's own messages, for debugging: CYBERLOSS_CHROMIUM_LOG=path
        self._log = open(os.environ.get("CYBERLOSS_CHROMIUM_LOG", os.devnull), "w")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # above 4, so that the shell's "3<&r 4>&w" cannot overwrite one with the other
        to_child_r, from_child_w = (_above(fd, 10) for fd in (to_child_r, from_child_w))
        # the child reads commands on fd 3 and writes answers on fd 4 (bash puts them there)
        self._proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{to_child_r} 4>&{from_child_w}', CHROMIUM, "--headless",
             "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             "--force-device-scale-factor=1", f"--user-data-dir={self._profile}", "about:blank"],
            pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._log)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.session: str | None = None

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
        raise TimeoutError(f"{method}: no answer in {self.timeout} s")

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url: str, width: int = 1200) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete" or not self.evaluate(
                "document.fonts.status === 'loaded'"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading")
            time.sleep(0.05)

    def evaluate(self, expression: str):
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def undrawable(self) -> list[tuple[str, str, list[str]]]:
        """(text, characters no font used for it has, the fonts' names) for every element with
        text of its own."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", {"depth": -1})["root"]
        found = []
        for node_id, text in _text_owners(root):
            fonts = self.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            maps = [_charmap(f["postScriptName"] or f["familyName"]) for f in fonts]
            missing = sorted({ch for ch in text if not ch.isspace() and not any(ord(ch) in m for m in maps)})
            if missing:
                found.append((text[:80], missing, [f["familyName"] for f in fonts]))
        return found

    def fonts(self, selector: str) -> list[str]:
        """The families of the fonts that drew the text of the first element ``selector`` finds."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return [f["familyName"] for f in self.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_child, self._from_child):
            os.close(fd)
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _above(fd: int, lowest: int) -> int:
    """``fd`` moved to a descriptor number >= ``lowest`` (the old one is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, lowest)
    os.close(fd)
    return high


def _text_owners(node: dict):
    """(nodeId, its direct text) of every element whose own children include text."""
    if node.get("nodeName") in ("SCRIPT", "STYLE", "HEAD", "TITLE"):
        return
    children = node.get("children", [])
    own = "".join(c.get("nodeValue", "") for c in children if c.get("nodeType") == 3)
    if own.strip() and node.get("nodeType") == 1:
        yield node["nodeId"], own
    for child in children:
        yield from _text_owners(child)


@functools.cache
def _charmap(name: str) -> frozenset[int]:
    """The code points a font (by PostScript or family name, as fontconfig finds it) has."""
    path = subprocess.run(["fc-match", "-f", "%{file}", f":postscriptname={name}"],
                          capture_output=True, text=True).stdout.strip()
    if not path or Path(path).name.lower().startswith("dejavu") and "dejavu" not in name.lower():
        path = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True).stdout.strip()
    return frozenset(FT2Font(path).get_charmap()) if path else frozenset()
