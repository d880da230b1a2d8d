"""Colour contrast as WCAG 2.1 measures it (success criterion 1.4.3): text needs 4.5:1 against
what is behind it. Used to check the papers' styles and to choose chart labels that can be read."""

from __future__ import annotations

#: WCAG 2.1 AA for text (1.4.3); the papers hold all text to it, large text included.
MINIMUM = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The relative luminance of ``colour`` (``#RRGGBB`` or ``RRGGBB``), 0 for black to 1 for white."""
    hex_ = colour.lstrip("#")
    if len(hex_) != 6:
        raise ValueError(f"not a colour: {colour!r} (expected RRGGBB)")
    r, g, b = (_channel(int(hex_[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str = "FFFFFF") -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: str, dark: str = "#000000", light: str = "#FFFFFF") -> str:
    """Of ``dark`` and ``light``, the text colour with the higher contrast on ``background``."""
    return dark if contrast(dark, background) >= contrast(light, background) else light


def darkened(colour: str, background: str = "FFFFFF", minimum: float = MINIMUM) -> str:
    """``colour`` darkened in steps of its own hue until it reaches ``minimum`` on ``background``
    (unchanged if it already does); ``RRGGBB``."""
    hex_ = colour.lstrip("#").upper()
    rgb = [int(hex_[i:i + 2], 16) for i in (0, 2, 4)]
    while contrast("".join(f"{c:02X}" for c in rgb), background) < minimum and any(rgb):
        rgb = [int(c * 0.95) for c in rgb]
    return "".join(f"{c:02X}" for c in rgb)
