"""When the digest is due: ``schedule.digest_cron`` read as crontab reads it, in its zone.

Pure timing logic, apart from the daemon (``monitor.scheduler``) that acts on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from monitor.errors import ConfigError
from monitor.settings import Settings
from monitor.timeutil import utcnow

# Crontab numbers weekdays from Sunday = 0 (7 is Sunday too); APScheduler 3
# numbers them from Monday = 0, so weekdays are handed over by name.
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_weekdays(text: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday) as an APScheduler ``day_of_week`` value."""
    days: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = 0, 6
        else:
            start, _, end = base.partition("-")
            first = int(start)
            # "n/step" runs from n to the end of the week, as in APScheduler and cronie.
            last = int(end) if end else (max(first, 6) if step_text else first)
        if first > last:
            raise ValueError(f"the weekday range {base} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, step))
    if days == set(range(7)):
        return "*"
    return ",".join(WEEKDAY_NAMES[day] for day in sorted(days))


def digest_trigger(settings: Settings) -> BaseTrigger:
    """The APScheduler trigger for ``schedule.digest_cron`` in ``schedule.timezone``.

    Five fields are crontab's (minute hour day month weekday); six have seconds
    in front. As in crontab, when both the day of month and the weekday are
    restricted (neither starts with '*'), a day matching either one fires.
    """
    schedule = settings.schedule
    expr = schedule.digest_cron
    where = f"{settings.path}: schedule.digest_cron"
    fields = expr.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ConfigError(f"{where}: expected 5 or 6 cron fields, got {expr!r}")
    second, minute, hour, day, month, weekday = fields
    timezone = ZoneInfo(schedule.timezone)
    common = {"second": second, "minute": minute, "hour": hour, "month": month}
    try:
        day_of_week = _crontab_weekdays(weekday)
        if not day.startswith("*") and not weekday.startswith("*"):
            trigger: BaseTrigger = OrTrigger(
                [
                    CronTrigger(day=day, timezone=timezone, **common),
                    CronTrigger(day_of_week=day_of_week, timezone=timezone, **common),
                ]
            )
        else:
            trigger = CronTrigger(day=day, day_of_week=day_of_week, timezone=timezone, **common)
    except ValueError as error:
        raise ConfigError(f"{where}: {expr!r} is not a usable schedule: {error}") from None
    if trigger.get_next_fire_time(None, utcnow()) is None:
        raise ConfigError(f"{where}: {expr!r} never fires (no such date)")
    return trigger


def missed_digest(trigger: BaseTrigger, last_run: datetime, now: datetime) -> datetime | None:
    """The first scheduled digest time after ``last_run`` if it is already past, else None."""
    # APScheduler 3's signature is (previous_fire_time, now), and "now" is
    # inclusive: a run at exactly a fire time must not count that time as missed.
    due = trigger.get_next_fire_time(None, last_run + timedelta(microseconds=1))
    return due if due is not None and due <= now else None
