"""Ship the working-day calendar for 2026 and 2027 (editable in admin: Organisation → working-day calendar).

2026: the State Council General Office's notice on the 2026 holiday arrangement (国务院办公厅关于2026年部分节假日
安排的通知), holidays as whole blocks (weekend days included, so the table reads like the notice) and the
make-up working days (调休上班).

2027: the notice was not published when this was written. Shipped are the statutory holidays of the law
(《全国年节及纪念日放假办法》, 2024 revision): New Year's Day; the Spring Festival eve and its first three days;
Qingming; 1–2 May; the Dragon Boat Festival; Mid-Autumn; 1–3 October; and, because the law gives a working
day in lieu of a statutory day that falls on a weekend (art. 6), the working days right after those blocks
(补休, the convention of past notices). All of 2027 is marked unconfirmed: when the State Council publishes its
notice, an admin corrects the days, adds the make-up working days (调休上班) and ticks "confirmed".
"""

from datetime import date, timedelta

from django.db import migrations

HOLIDAY, WORKDAY = False, True


def _block(first: date, last: date, name: str):
    day = first
    while day <= last:
        yield day, HOLIDAY, name
        day += timedelta(days=1)


DAYS_2026 = [
    *_block(date(2026, 1, 1), date(2026, 1, 3), "元旦"),
    (date(2026, 1, 4), WORKDAY, "元旦调休上班"),
    (date(2026, 2, 14), WORKDAY, "春节调休上班"),
    *_block(date(2026, 2, 15), date(2026, 2, 23), "春节"),
    (date(2026, 2, 28), WORKDAY, "春节调休上班"),
    *_block(date(2026, 4, 4), date(2026, 4, 6), "清明节"),
    *_block(date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
    (date(2026, 5, 9), WORKDAY, "劳动节调休上班"),
    *_block(date(2026, 6, 19), date(2026, 6, 21), "端午节"),
    (date(2026, 9, 20), WORKDAY, "国庆节调休上班"),
    *_block(date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
    *_block(date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
    (date(2026, 10, 10), WORKDAY, "国庆节调休上班"),
]
IN_LIEU = "补休（依法，待国务院通知确认）"
DAYS_2027 = [
    (date(2027, 1, 1), HOLIDAY, "元旦"),
    *_block(date(2027, 2, 5), date(2027, 2, 8), "春节"),  # 除夕 (Fri) – 初三 (Mon)
    *_block(date(2027, 2, 9), date(2027, 2, 10), "春节" + IN_LIEU),  # for 初一, 初二 on Sat, Sun
    (date(2027, 4, 5), HOLIDAY, "清明节"),
    *_block(date(2027, 5, 1), date(2027, 5, 2), "劳动节"),  # Sat, Sun
    *_block(date(2027, 5, 3), date(2027, 5, 4), "劳动节" + IN_LIEU),
    (date(2027, 6, 9), HOLIDAY, "端午节"),
    (date(2027, 9, 15), HOLIDAY, "中秋节"),
    *_block(date(2027, 10, 1), date(2027, 10, 3), "国庆节"),  # Fri – Sun
    *_block(date(2027, 10, 4), date(2027, 10, 5), "国庆节" + IN_LIEU),
]


def create(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    for days, confirmed in ((DAYS_2026, True), (DAYS_2027, False)):
        for day, working, name in days:
            CalendarDay.objects.get_or_create(date=day, defaults={"is_working_day": working, "name": name,
                                                                  "confirmed": confirmed})


def remove(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(date__year__in=[2026, 2027]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar_day")]
    operations = [migrations.RunPython(create, remove)]
