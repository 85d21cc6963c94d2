"""The team's training guides: in-app pages (Vietnamese), linked from the decision forms."""

from __future__ import annotations

from dataclasses import dataclass

from soitin.db.models import Category
from soitin.errors import NotFoundError

__all__ = ["GUIDES", "Guide", "get_guide", "guides_for"]


@dataclass(frozen=True)
class Guide:
    """One guide: its address, titles and the categories whose decisions it helps with."""

    slug: str
    title_vi: str
    title_en: str
    summary_vi: str
    categories: tuple[str, ...]
    summary_en: str = ""

    @property
    def template(self) -> str:
        """The Jinja template holding the guide's text."""
        return f"guides/{self.slug}.html"

    def title(self, lang: str) -> str:
        """The title in `lang`."""
        return self.title_en if lang == "en" else self.title_vi

    def summary(self, lang: str) -> str:
        """What the guide covers, in `lang` (the guide itself is written in Vietnamese)."""
        return self.summary_en if lang == "en" and self.summary_en else self.summary_vi


GUIDES: tuple[Guide, ...] = (
    Guide(
        "kiem-chung-thong-tin",
        "Cách kiểm chứng một thông tin",
        "How to verify a claim",
        "Năm bước: tách luận điểm, tìm nguồn gốc, kiểm tra ảnh/video, đối chiếu nguồn chính "
        "thống, ghi lại bằng chứng.",
        (Category.MISINFORMATION.value,),
        "Five steps: separate the claims, find the origin, check photos and videos, compare with "
        "official sources, keep the evidence.",
    ),
    Guide(
        "nhan-dien-lua-dao",
        "Nhận diện các kiểu lừa đảo thường gặp",
        "Recognising common scam patterns",
        "Giả danh công an, điện lực, ngân hàng, shipper; việc nhẹ lương cao; đầu tư siêu lợi "
        "nhuận; lấy lại tiền bị lừa; các dấu hiệu nhận biết.",
        (Category.SCAM.value,),
        "Impersonated police, electricity, banks and couriers; easy jobs with high pay; "
        "get-rich investments; recovering lost money; the tell-tale signs.",
    ),
    Guide(
        "ngon-tu-doc-hai",
        "Xử lý ngôn từ độc hại, thù ghét và tin rác",
        "Handling toxic, hateful speech and spam",
        "Phân biệt chê bai với xúc phạm, thù ghét nhắm vào nhóm người; khi nào bỏ qua, khi nào "
        "báo cáo nền tảng.",
        (Category.TOXIC.value, Category.SPAM.value),
        "Criticism versus insult, hatred aimed at a group of people; when to leave it, when to "
        "report it to the platform.",
    ),
    Guide(
        "kenh-bao-cao-nen-tang",
        "Báo cáo qua kênh chính thức của nền tảng và cơ quan chức năng",
        "Using the platforms' official reporting channels",
        "Facebook, YouTube, TikTok, Zalo; cổng tiếp nhận phản ánh lừa đảo; ghi lại mã báo cáo "
        "và kết quả.",
        tuple(c.value for c in Category),
        "Facebook, YouTube, TikTok, Zalo; the scam reporting portal; keeping the report's "
        "reference and its outcome.",
    ),
)


def get_guide(slug: str) -> Guide:
    """The guide at `slug`."""
    for guide in GUIDES:
        if guide.slug == slug:
            return guide
    raise NotFoundError(f"No guide {slug!r}.")


def guides_for(category: str) -> list[Guide]:
    """The guides that help decide a case of `category`."""
    return [g for g in GUIDES if category in g.categories]
