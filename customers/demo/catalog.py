"""Products: brands, plans, handsets, payment channels."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    fee: int  # CNY per month
    voice: int  # minutes
    data_mb: int
    sms: int
    rate: str  # out-of-plan voice CNY/minute


BRANDS: tuple[tuple[str, str], ...] = (("gotone", "全球通"), ("mzone", "动感地带"), ("easyown", "神州行"))
GOTONE, MZONE, EASYOWN = 0, 1, 2

PLANS: dict[str, tuple[PlanSpec, ...]] = {
    "gotone": (
        PlanSpec("gotone-58", "全球通畅享58元套餐", 58, 200, 20 * 1024, 50, "0.1900"),
        PlanSpec("gotone-88", "全球通畅享88元套餐", 88, 300, 30 * 1024, 100, "0.1900"),
        PlanSpec("gotone-128", "全球通畅享128元套餐", 128, 500, 40 * 1024, 100, "0.1500"),
        PlanSpec("gotone-188", "全球通畅享188元套餐", 188, 700, 60 * 1024, 200, "0.1500"),
        PlanSpec("gotone-288", "全球通尊享288元套餐", 288, 1000, 100 * 1024, 300, "0.1000"),
        PlanSpec("gotone-388", "全球通尊享388元套餐", 388, 1500, 150 * 1024, 300, "0.1000"),
        PlanSpec("gotone-588", "全球通尊享588元套餐", 588, 3000, 300 * 1024, 500, "0.1000"),
    ),
    "mzone": (
        PlanSpec("mzone-19", "动感地带芒果卡19元", 19, 30, 10 * 1024, 0, "0.1500"),
        PlanSpec("mzone-29", "动感地带芒果卡29元", 29, 50, 20 * 1024, 0, "0.1500"),
        PlanSpec("mzone-39", "动感地带潮玩卡39元", 39, 100, 30 * 1024, 50, "0.1500"),
        PlanSpec("mzone-59", "动感地带潮玩卡59元", 59, 200, 40 * 1024, 50, "0.1500"),
        PlanSpec("mzone-79", "动感地带潮玩卡79元", 79, 300, 60 * 1024, 100, "0.1500"),
    ),
    "easyown": (
        PlanSpec("easyown-8", "神州行8元保号套餐", 8, 0, 100, 0, "0.1900"),
        PlanSpec("easyown-18", "神州行畅听卡18元", 18, 100, 1024, 0, "0.1900"),
        PlanSpec("easyown-28", "神州行畅听卡28元", 28, 200, 5 * 1024, 50, "0.1500"),
        PlanSpec("easyown-38", "神州行畅听卡38元", 38, 300, 10 * 1024, 50, "0.1500"),
    ),
}

# (brand, model, price band, supports dual SIM, relative popularity)
DEVICES: tuple[tuple[str, str, str, bool, float], ...] = (
    ("华为", "Mate 60 Pro", "high", True, 4), ("华为", "P60", "high", True, 3), ("华为", "nova 12", "mid", True, 5),
    ("华为", "畅享 70", "low", True, 4), ("苹果", "iPhone 15", "high", True, 5), ("苹果", "iPhone 13", "high", True, 4),
    ("苹果", "iPhone 11", "mid", True, 3), ("小米", "14", "mid", True, 3), ("小米", "Redmi Note 13", "low", True, 5),
    ("小米", "Redmi K70", "mid", True, 3), ("OPPO", "Reno11", "mid", True, 4), ("OPPO", "A2", "low", True, 4),
    ("OPPO", "Find X7", "high", True, 1), ("vivo", "X100", "high", True, 2), ("vivo", "S18", "mid", True, 4),
    ("vivo", "Y36", "low", True, 4), ("荣耀", "Magic6", "high", True, 2), ("荣耀", "X50", "mid", True, 4),
    ("荣耀", "Play8T", "low", True, 3), ("三星", "Galaxy S24", "high", True, 1), ("一加", "12", "mid", True, 1),
    ("realme", "GT Neo6", "mid", True, 1), ("中兴", "远航 60", "low", True, 1), ("诺基亚", "105", "low", False, 1),
)
PRICE_BANDS = ("low", "mid", "high")

# Payment channel codes as billing sends them, with share of payments.
PAYMENT_CHANNELS: tuple[tuple[str, float], ...] = (
    ("auto_debit", 0.22), ("wechat", 0.30), ("alipay", 0.22), ("app", 0.12), ("outlet", 0.10), ("voucher", 0.04),
)

# China Mobile number blocks and rough share of issued numbers.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("134", 4), ("135", 7), ("136", 6), ("137", 7), ("138", 8), ("139", 8), ("150", 6), ("151", 6), ("152", 6),
    ("157", 4), ("158", 6), ("159", 6), ("182", 5), ("183", 4), ("184", 2), ("187", 6), ("188", 5), ("147", 2),
    ("178", 4), ("198", 3),
)
# Numbers of other operators, for related-person contacts.
OTHER_PREFIXES = ("130", "131", "132", "155", "156", "186", "133", "153", "180", "189", "199")
