"""The pipeline stage "places": tag each new item with the provinces and communes it names."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from soitin.db.bulk import write_columns
from soitin.db.models import Item
from soitin.places.tagger import get_tagger

__all__ = ["PlaceStage"]


class PlaceStage:
    """2025 province and commune codes from the item's title and text.

    Codes already on the item (a tip form or a source that states its place) are kept; the
    tagged ones are added.
    """

    name = "places"

    def __call__(self, session: Session, items: Sequence[Item]) -> None:
        """Set `province_codes` and `ward_codes`; never commits."""
        tagger = get_tagger()
        changed: list[Item] = []
        values: list[dict[str, list[str]]] = []
        for item in items:
            if item.text is None and item.title is None:
                continue
            tags = tagger.tag("\n".join(p for p in (item.title, item.text) if p))
            provinces = sorted(set(item.province_codes or []) | set(tags.province_codes))
            wards = sorted(set(item.ward_codes or []) | set(tags.ward_codes))
            if provinces != (item.province_codes or []) or wards != (item.ward_codes or []):
                changed.append(item)
                values.append({"province_codes": provinces, "ward_codes": wards})
        write_columns(session, changed, values)
