import { describe, expect, it } from 'vitest';
import { addDays, dayOfWeek, daysBetween, isCalendarDay, lastDayOfMonth } from '../../src/time/calendar.js';

describe('calendar days (src/time/calendar.ts)', () => {
  it('accepts only real dates written YYYY-MM-DD', () => {
    for (const good of ['2026-01-01', '2026-12-31', '2028-02-29', '2000-02-29', '2026-04-30']) expect(isCalendarDay(good), good).toBe(true);
    for (const bad of ['2026-02-30', '2026-02-29', '2100-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-4-1', '26-04-01', '+2026-04-01', '2026-04-01T00:00', ' 2026-04-01', '04/01/2026', 'tomorrow', '']) {
      expect(isCalendarDay(bad), bad).toBe(false);
    }
  });

  it('adds days across month ends, leap days and year boundaries', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-03-07', 0)).toBe('2026-03-07');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
    expect(addDays('2028-01-01', 365)).toBe('2028-12-31');
  });

  it('counts whole days, negative backwards, never shifted by daylight saving', () => {
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2); // US clocks go forward on 2026-03-08
    expect(daysBetween('2026-10-31', '2026-11-02')).toBe(2); // and back on 2026-11-01
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2027-01-01', '2026-12-31')).toBe(-1);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2026-05-05', '2026-05-05')).toBe(0);
  });

  it('tells the day of the week, Sunday being 0', () => {
    expect(dayOfWeek('2026-11-30')).toBe(1); // a Monday
    expect(dayOfWeek('2028-02-29')).toBe(2); // a Tuesday
    expect(dayOfWeek('2027-01-03')).toBe(0); // a Sunday
    expect(dayOfWeek('2026-12-26')).toBe(6); // a Saturday
  });

  it('knows the last day of every month, leap Februaries included', () => {
    expect(lastDayOfMonth(2026, 1)).toBe('2026-01-31');
    expect(lastDayOfMonth(2026, 2)).toBe('2026-02-28');
    expect(lastDayOfMonth(2028, 2)).toBe('2028-02-29');
    expect(lastDayOfMonth(2100, 2)).toBe('2100-02-28');
    expect(lastDayOfMonth(2000, 2)).toBe('2000-02-29');
    expect(lastDayOfMonth(2026, 4)).toBe('2026-04-30');
    expect(lastDayOfMonth(2026, 12)).toBe('2026-12-31');
    expect(() => lastDayOfMonth(2026, 13)).toThrow(RangeError);
    expect(() => lastDayOfMonth(2026, 0)).toThrow(RangeError);
  });

  it('refuses to compute with a date that does not exist instead of rolling it over', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => daysBetween('2026-01-01', '2026-02-30')).toThrow(RangeError);
    expect(() => dayOfWeek('2026-13-01')).toThrow(RangeError);
  });
});
