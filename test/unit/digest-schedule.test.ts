import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_DIGEST_CRON,
  DIGEST_CATCH_UP_GRACE_MS,
  describeCron,
  describeSchedule,
  digestPeriod,
  dueRun,
  nextRuns,
  parseSchedule,
  previousPeriod,
  previousRun,
} from '../../src/features/digest/schedule.js';

const TZ = 'America/Detroit';
const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;

const at = (iso: string): Date => new Date(iso);
const isoList = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());
const hours = (p: { start: Date; end: Date }): number => (p.end.getTime() - p.start.getTime()) / HOUR;

/**
 * Checks that answers do not depend on where the question starts: for every minute of the
 * window, nextRuns/previousRun agree with one list computed from before the window.
 */
function expectConsistentAround(cronExpr: string, fromIso: string, toIso: string): void {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const reference = nextRuns(cronExpr, TZ, new Date(from - 2 * 24 * HOUR), 5000).map((d) => d.getTime());
  expect(reference[reference.length - 1]).toBeGreaterThan(to);
  for (let t = from; t <= to; t += MINUTE) {
    for (const probe of [t, t + 30_000]) {
      const expectedNext = reference.find((r) => r > probe);
      const expectedPrev = [...reference].reverse().find((r) => r <= probe);
      const gotNext = nextRuns(cronExpr, TZ, new Date(probe), 1)[0]?.getTime();
      const gotPrev = previousRun(cronExpr, TZ, new Date(probe))?.getTime();
      expect({ probe: new Date(probe).toISOString(), next: gotNext }).toEqual({ probe: new Date(probe).toISOString(), next: expectedNext });
      expect({ probe: new Date(probe).toISOString(), prev: gotPrev }).toEqual({ probe: new Date(probe).toISOString(), prev: expectedPrev });
    }
  }
}

/** What node-cron 4 itself would fire next, with the clock fixed at `fromIso`. */
function nodeCronNextRuns(cronExpr: string, fromIso: string, count: number): string[] {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at(fromIso));
  const task = cron.createTask(cronExpr, () => undefined, { timezone: TZ });
  try {
    return isoList(task.getNextRuns(count));
  } finally {
    void task.destroy();
    vi.useRealTimers();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('parseSchedule', () => {
  it('accepts the default weekly schedule unchanged', () => {
    expect(parseSchedule(DEFAULT_DIGEST_CRON)).toEqual({ ok: true, cron: '0 8 * * 1' });
  });

  it('normalises surrounding and repeated whitespace, including tabs', () => {
    expect(parseSchedule('  0   8 *\t* 1 ')).toEqual({ ok: true, cron: '0 8 * * 1' });
  });

  it.each(['*/15 * * * *', '* * * * *', '30 7 * * mon-fri', '0 9 1 * *', '0 0 29 2 *', '0 8 * * 1,3,5', '0 8 * * 7'])(
    'accepts %s, and node-cron 4 accepts the stored form too',
    (expr) => {
      const result = parseSchedule(expr);
      expect(result.ok).toBe(true);
      if (result.ok) expect(cron.validate(result.cron)).toBe(true);
    },
  );

  it.each([
    ['61 * * * *', /minute must be between 0 and 59/],
    ['* * *', /3 fields/],
    ['0 8 * * 8', /day of the week must be between 0 and 7/],
    ['0 0 8 * * 1', /seconds are not supported/],
    ['', /empty/],
    ['   ', /empty/],
    ['garbage', /1 field\b/],
    ['once a week please', /4 fields/],
    ['0 0 31 2 *', /never happens/],
    ['0 0 30 2 *', /never happens/],
    ['0 24 * * *', /hour must be between 0 and 23/],
    ['0 8 * * 5-1', /runs backwards/],
    ['*/0 * * * *', /step of 0/],
    ['0 8 1 * 1', /either the day of the month or the day of the week/],
    ['0 8 L * *', /day of the month I understand/],
    ['0 8 * * 1#1', /day of the week I understand/],
    ['H 8 * * 1', /not a minute I understand/],
    ['0 8 1/7 * *', /not a valid schedule/],
    ['@weekly', /1 field\b/],
  ])('refuses %j politely, explaining why and giving an example', (expr, reason) => {
    const result = parseSchedule(expr);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(reason);
    expect(result.message).toMatch(/^Sorry/);
    expect(result.message).toContain('`0 8 * * 1` means Mondays at 08:00');
  });
});

describe('nextRuns (America/Detroit)', () => {
  it('puts Monday 08:00 local at 12:00Z in summer and 13:00Z in winter', () => {
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-07-01T00:00:00Z'), 1))).toEqual(['2026-07-06T12:00:00.000Z']);
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-12-01T00:00:00Z'), 1))).toEqual(['2026-12-07T13:00:00.000Z']);
  });

  it('moves to 13:00Z after the November 2026 fall-back', () => {
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-10-20T00:00:00Z'), 3))).toEqual([
      '2026-10-26T12:00:00.000Z',
      '2026-11-02T13:00:00.000Z',
      '2026-11-09T13:00:00.000Z',
    ]);
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-10-30T00:00:00Z'), 1))).toEqual(['2026-11-02T13:00:00.000Z']);
  });

  it('moves to 12:00Z after the March 2027 spring-forward', () => {
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2027-03-05T00:00:00Z'), 2))).toEqual([
      '2027-03-08T13:00:00.000Z',
      '2027-03-15T12:00:00.000Z',
    ]);
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2027-03-10T00:00:00Z'), 1))).toEqual(['2027-03-15T12:00:00.000Z']);
  });

  it('returns only runs strictly after the given instant', () => {
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-11-02T13:00:00Z'), 1))).toEqual(['2026-11-09T13:00:00.000Z']);
    expect(isoList(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-11-02T12:59:59.999Z'), 1))).toEqual(['2026-11-02T13:00:00.000Z']);
  });

  it('returns nothing for a count of zero', () => {
    expect(nextRuns(DEFAULT_DIGEST_CRON, TZ, at('2026-11-02T13:00:00Z'), 0)).toEqual([]);
  });

  it('runs an every-minute schedule on each following minute', () => {
    expect(isoList(nextRuns('* * * * *', TZ, at('2026-05-05T12:00:30Z'), 3))).toEqual([
      '2026-05-05T12:01:00.000Z',
      '2026-05-05T12:02:00.000Z',
      '2026-05-05T12:03:00.000Z',
    ]);
  });

  it('throws for an unknown time zone rather than guessing one', () => {
    expect(() => nextRuns(DEFAULT_DIGEST_CRON, 'Mars/Olympus_Mons', at('2026-05-05T12:00:00Z'), 1)).toThrow(RangeError);
  });
});

describe('DST edge days (America/Detroit, 2026)', () => {
  it('skips a daily 02:30 run on the spring-forward day, when 02:30 does not exist, but runs the day before and after', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT.
    expect(isoList(nextRuns('30 2 * * *', TZ, at('2026-03-06T12:00:00Z'), 4))).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
      '2026-03-11T06:30:00.000Z',
    ]);
  });

  it('lets the run after the skipped spring-forward day cover both days, so no activity is left out', () => {
    const period = digestPeriod('30 2 * * *', TZ, at('2026-03-09T06:30:00Z'));
    expect(period.start.toISOString()).toBe('2026-03-07T07:30:00.000Z');
    expect(hours(period)).toBe(47);
  });

  it('runs a daily 01:30 schedule once on the fall-back day, at the first 01:30 (EDT)', () => {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST, so 01:30 happens at 05:30Z and 06:30Z.
    expect(isoList(nextRuns('30 1 * * *', TZ, at('2026-10-30T12:00:00Z'), 3))).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('does not run the 01:30 schedule again when asked from inside the repeated hour', () => {
    // 06:00Z is 01:00 EST, after the first 01:30 already ran: a restart here must not re-send.
    expect(isoList(nextRuns('30 1 * * *', TZ, at('2026-11-01T06:00:00Z'), 1))).toEqual(['2026-11-02T06:30:00.000Z']);
    expect(previousRun('30 1 * * *', TZ, at('2026-11-01T06:45:00Z'))?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('keeps an every-minute schedule strictly increasing through the repeated hour, running each wall minute once', () => {
    const runs = nextRuns('* * * * *', TZ, at('2026-11-01T05:58:00Z'), 3).map((d) => d.getTime());
    expect(runs.map((r) => new Date(r).toISOString())).toEqual([
      '2026-11-01T05:59:00.000Z', // 01:59 EDT
      '2026-11-01T07:00:00.000Z', // 02:00 EST; 01:00-01:59 EST were already run as EDT
      '2026-11-01T07:01:00.000Z',
    ]);
  });

  it.each([
    ['30 2 * * *', '2026-03-08T04:00:00Z', '2026-03-08T09:00:00Z'],
    ['*/30 * * * *', '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z'],
    ['30 1 * * *', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'],
    ['*/30 * * * *', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'],
    ['* * * * *', '2026-11-01T05:30:00Z', '2026-11-01T07:10:00Z'],
  ])('answers %s the same whichever minute of %s..%s the question is asked', (cronExpr, from, to) => {
    expectConsistentAround(cronExpr, from, to);
  });

  it.each([
    ['30 2 * * *', '2026-03-06T12:00:00Z'],
    ['30 2 * * *', '2026-03-08T07:00:00Z'],
    ['*/30 * * * *', '2026-03-08T05:00:00Z'],
    ['30 1 * * *', '2026-10-30T12:00:00Z'],
    ['30 1 * * *', '2026-11-01T06:00:00Z'],
    ['*/30 * * * *', '2026-11-01T04:00:00Z'],
    ['*/30 * * * *', '2026-11-01T06:10:00Z'],
    [DEFAULT_DIGEST_CRON, '2026-10-30T00:00:00Z'],
    [DEFAULT_DIGEST_CRON, '2027-03-10T00:00:00Z'],
  ])('predicts exactly the instants node-cron 4 fires %s at, from %s', (cronExpr, from) => {
    expect(isoList(nextRuns(cronExpr, TZ, at(from), 6))).toEqual(nodeCronNextRuns(cronExpr, from, 6));
  });
});

describe('previousRun', () => {
  it('returns the occurrence itself when asked exactly at it', () => {
    expect(previousRun(DEFAULT_DIGEST_CRON, TZ, at('2026-11-02T13:00:00Z'))?.toISOString()).toBe('2026-11-02T13:00:00.000Z');
  });

  it('returns the week before when asked a millisecond earlier', () => {
    expect(previousRun(DEFAULT_DIGEST_CRON, TZ, at('2026-11-02T12:59:59.999Z'))?.toISOString()).toBe('2026-10-26T12:00:00.000Z');
  });

  it('returns the current minute for an every-minute schedule', () => {
    expect(previousRun('* * * * *', TZ, at('2026-05-05T12:00:30Z'))?.toISOString()).toBe('2026-05-05T12:00:00.000Z');
  });

  it('finds a leap-day schedule years back', () => {
    expect(previousRun('0 0 29 2 *', TZ, at('2027-06-01T00:00:00Z'))?.toISOString()).toBe('2024-02-29T05:00:00.000Z');
  });
});

describe('digestPeriod and previousPeriod', () => {
  it('covers the 168 hours since last Monday 08:00 in an ordinary week', () => {
    const period = digestPeriod(DEFAULT_DIGEST_CRON, TZ, at('2026-05-11T12:00:00Z'));
    expect(period).toEqual({ start: at('2026-05-04T12:00:00Z'), end: at('2026-05-11T12:00:00Z') });
    expect(hours(period)).toBe(168);
  });

  it('spans 169 hours for the Monday after the November fall-back', () => {
    const period = digestPeriod(DEFAULT_DIGEST_CRON, TZ, at('2026-11-02T13:00:00Z'));
    expect(period.start.toISOString()).toBe('2026-10-26T12:00:00.000Z');
    expect(hours(period)).toBe(169);
  });

  it('spans 167 hours for the Monday after the March spring-forward', () => {
    const period = digestPeriod(DEFAULT_DIGEST_CRON, TZ, at('2027-03-15T12:00:00Z'));
    expect(period.start.toISOString()).toBe('2027-03-08T13:00:00.000Z');
    expect(hours(period)).toBe(167);
  });

  it('starts at the latest run before a runAt that is not itself a scheduled run', () => {
    const period = digestPeriod(DEFAULT_DIGEST_CRON, TZ, at('2026-05-13T15:00:00Z'));
    expect(period.start.toISOString()).toBe('2026-05-11T12:00:00.000Z');
  });

  it('gives the period immediately before, ending where the current one starts', () => {
    const runAt = at('2026-11-09T13:00:00Z');
    const current = digestPeriod(DEFAULT_DIGEST_CRON, TZ, runAt);
    const before = previousPeriod(DEFAULT_DIGEST_CRON, TZ, runAt);
    expect(before).toEqual({ start: at('2026-10-26T12:00:00Z'), end: current.start });
    expect(hours(before)).toBe(169);
  });
});

describe('dueRun', () => {
  const monday = '2026-11-02T13:00:00.000Z';
  const late = (ms: number): Date => new Date(Date.parse(monday) + ms);

  it('returns the run when asked right at its time', () => {
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, at(monday), DIGEST_CATCH_UP_GRACE_MS)?.toISOString()).toBe(monday);
  });

  it('returns the run when asked 10 minutes late', () => {
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, late(10 * MINUTE), DIGEST_CATCH_UP_GRACE_MS)?.toISOString()).toBe(monday);
  });

  it('still sends a run missed by 35 hours of downtime', () => {
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, late(35 * HOUR), DIGEST_CATCH_UP_GRACE_MS)?.toISOString()).toBe(monday);
  });

  it('skips a run missed by 37 hours of downtime', () => {
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, late(37 * HOUR), DIGEST_CATCH_UP_GRACE_MS)).toBeNull();
  });

  it('treats a run exactly grace-old as still due and one a millisecond older as not', () => {
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, late(DIGEST_CATCH_UP_GRACE_MS), DIGEST_CATCH_UP_GRACE_MS)?.toISOString()).toBe(monday);
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, late(DIGEST_CATCH_UP_GRACE_MS + 1), DIGEST_CATCH_UP_GRACE_MS)).toBeNull();
  });

  it('returns nothing just before a run, when the previous one is a week old', () => {
    expect(dueRun(DEFAULT_DIGEST_CRON, TZ, late(-1), DIGEST_CATCH_UP_GRACE_MS)).toBeNull();
  });

  it('returns the current minute for an every-minute schedule', () => {
    expect(dueRun('* * * * *', TZ, at('2026-05-05T12:00:45Z'), MINUTE)?.toISOString()).toBe('2026-05-05T12:00:00.000Z');
  });

  it('sets the catch-up grace to 36 hours', () => {
    expect(DIGEST_CATCH_UP_GRACE_MS).toBe(36 * HOUR);
  });
});

describe('describeCron', () => {
  it.each([
    ['0 8 * * 1', 'every Monday at 08:00'],
    ['0 8 * * mon', 'every Monday at 08:00'],
    ['0 8 * * 0', 'every Sunday at 08:00'],
    ['0 8 * * 7', 'every Sunday at 08:00'],
    ['0 8 * * 1,3,5', 'every Monday, Wednesday and Friday at 08:00'],
    ['0 8 * * 1-5', 'every weekday (Monday to Friday) at 08:00'],
    ['30 7 * * *', 'every day at 07:30'],
    ['* * * * *', 'every minute'],
    ['*/15 * * * *', 'every 15 minutes'],
    ['0 * * * *', 'every hour, on the hour'],
    ['0 9 1 * *', 'on day 1 of the month at 09:00'],
    ['0 9 1 1 *', '`0 9 1 1 *`'],
    ['0 8 * * 1-3', '`0 8 * * 1-3`'],
    ['0 8-17 * * *', '`0 8-17 * * *`'],
  ])('describes %s as %j', (expr, text) => {
    expect(describeCron(expr)).toBe(text);
  });
});

describe('describeSchedule', () => {
  it.each([
    ['0 8 * * 1', 'every Monday at 08:00'],
    ['0 9 1 1 *', 'at 09:00, on day 1 of the month, only in January'],
    ['0 8 * * 1-3', 'at 08:00, Monday through Wednesday'],
    ['0 8-17 * * *', 'every hour, between 08:00 and 17:00'],
  ])('says %s in words as %j, with cronstrue where the short phrases stop', (expr, text) => {
    expect(describeSchedule(expr)).toBe(text);
  });
});
