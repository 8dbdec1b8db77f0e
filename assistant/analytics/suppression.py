"""Small-number suppression that holds across every view the dashboard can show.

The method ("suppress, then aggregate"):

1. **Primary.** The finest groups anyone can select are the rollup cells: one week × one council
   × one language × one category (or all) × one measure. A cell counting 1–4 is *small*.
2. **Secondary, by construction.** Every number published anywhere (page, API, CSV) is the sum
   of the *not-small* cells it covers; small cells are left out of every total, for every filter.
   A total therefore never contains a hidden count, so subtracting shown numbers from each other
   (a total minus its visible parts, or one filtered view minus another) can only ever yield
   sums of cells that are themselves shown: nothing hidden is recoverable, however many views
   an attacker combines.
3. **Display.** A published number is 0 or at least 5. A selection that contains only small
   cells is shown as `"<5"`. Totals that leave small cells out are therefore lower than the raw
   count; the page and the API say so.

Date ranges are widened to whole ISO weeks (Monday–Sunday) so no view can select part of a week.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func

THRESHOLD = 5
SUPPRESSED = "<5"
NOTE = (
    "Counts from 1 to 4 are never shown. The smallest groups (one council, one language, one "
    "category, one week) with fewer than 5 are left out of every total, so no hidden count can "
    "be worked out from totals or by comparing filtered views. Totals are therefore lower than "
    "the raw count, most where numbers are small. '<5' marks a selection made only of such "
    "small groups."
)

Published = int | str


@dataclass(frozen=True)
class Cell:
    """An aggregate: the sum of its not-small rollup cells and whether it covers a small one."""

    shown: int = 0
    hidden: bool = False

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.shown + other.shown, self.hidden or other.hidden)

    def publish(self) -> Published:
        if self.shown == 0 and self.hidden:
            return SUPPRESSED
        return self.shown


def shown_sum(n_col):
    """SQL: the sum of the not-small cells."""
    return func.sum(case((n_col >= THRESHOLD, n_col), else_=0))


def hidden_any(n_col):
    """SQL: 1 when any covered cell is small (1–4)."""
    return func.max(case((n_col < THRESHOLD, 1), else_=0))


def is_publishable(value: object) -> bool:
    """What every published value must satisfy: the marker, 0, or at least THRESHOLD."""
    if value == SUPPRESSED:
        return True
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (value == 0 or value >= THRESHOLD)
    )
