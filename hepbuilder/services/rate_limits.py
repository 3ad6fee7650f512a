"""Rate limits per API token, counted in the database so every app server shares one count.

Time is cut into fixed windows (WINDOW_SECONDS); each request adds one to its token's row for the
current window. A token's older rows are deleted when its next window starts.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hepbuilder.db.models import ApiRateCount

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class RateWindow:
    """Where a token stands in the current window: what the RateLimit-* headers say."""

    limit: int
    used: int
    reset_seconds: int  # until the window ends and the count starts again

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


def window_start(now: dt.datetime) -> dt.datetime:
    """The start of the window `now` (naive UTC) falls in."""
    epoch = int(now.replace(tzinfo=dt.UTC).timestamp())
    start = epoch - epoch % WINDOW_SECONDS
    return dt.datetime.fromtimestamp(start, dt.UTC).replace(tzinfo=None)


_COUNTS = ApiRateCount.__table__
# One statement that counts the request and answers the new count (Core, not the ORM's bulk
# update: a request's work before it does its own, so it costs one round trip and little CPU).
_BUMP = (
    update(_COUNTS)
    .where(
        _COUNTS.c.api_token_id == bindparam("token_id"),
        _COUNTS.c.window_start == bindparam("start"),
    )
    .values(count=_COUNTS.c.count + 1)
    .returning(_COUNTS.c.count)
)


def count_request(session: Session, api_token_id: int, limit: int, now: dt.datetime) -> RateWindow:
    """Add this request to the token's count for the current window; flushes, never commits.

    Two app servers counting the first request of a window at once both end up counting: the
    loser of the insert race adds to the winner's row.
    """
    start = window_start(now)
    where = {"token_id": api_token_id, "start": start}
    used = session.execute(_BUMP, where).scalar()
    if used is None:
        try:
            with session.begin_nested():
                session.execute(
                    delete(ApiRateCount).where(
                        ApiRateCount.api_token_id == api_token_id,
                        ApiRateCount.window_start < start,
                    )
                )
                session.add(ApiRateCount(api_token_id=api_token_id, window_start=start, count=1))
                session.flush()
            used = 1
        except IntegrityError:
            used = session.execute(_BUMP, where).scalar() or 1
    elapsed = int((now - start).total_seconds())
    return RateWindow(limit=limit, used=used, reset_seconds=max(1, WINDOW_SECONDS - elapsed))
