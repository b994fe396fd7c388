import { describe, expect, it } from 'vitest';
import { parseEditIssueMetadata, parseIssueId, parseNewIssueMetadata, parsePageToken, newIssueMetadata } from '../../src/features/issue/metadata.js';
import { decodeSlackEntities, isCalendarDate, isOverdue, normaliseTitle, parseIssueKey, parseStatus } from '../../src/features/issue/model.js';
import { todayIn } from '../../src/time/zone.js';

describe('issue model', () => {
  it('parses statuses the way people type them', () => {
    expect(parseStatus('in-progress')).toBe('in_progress');
    expect(parseStatus('In Progress')).toBe('in_progress');
    expect(parseStatus('in_progress')).toBe('in_progress');
    expect(parseStatus('RESOLVED')).toBe('resolved');
    expect(parseStatus('reopen')).toBe('open');
    expect(parseStatus('done')).toBeUndefined();
    expect(parseStatus(undefined)).toBeUndefined();
  });

  it('parses issue keys in any case and refuses anything else', () => {
    expect(parseIssueKey('CNA-3')).toEqual({ teamKey: 'CNA', number: 3 });
    expect(parseIssueKey('spt-12')).toEqual({ teamKey: 'SPT', number: 12 });
    for (const bad of ['CNA', 'CNA-0', 'CNA-x', '3', 'C-3', 'CNA-3-4', '', undefined]) expect(parseIssueKey(bad)).toBeUndefined();
  });

  it('accepts only real calendar dates in YYYY-MM-DD', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    for (const bad of ['2025-02-29', '2025-13-01', '2025-04-31', '2025-4-1', '04/01/2025', 'tomorrow', '1999-01-01']) expect(isCalendarDate(bad), bad).toBe(false);
  });

  it('judges today in the collaborative time zone, not UTC', () => {
    const lateEvening = new Date('2025-03-11T02:30:00Z');
    expect(todayIn(lateEvening, 'America/Detroit')).toBe('2025-03-10');
    expect(todayIn(lateEvening, 'UTC')).toBe('2025-03-11');
  });

  it('calls an open issue overdue only after its due date, and a closed one never', () => {
    expect(isOverdue({ dueDate: '2025-03-09', status: 'open' }, '2025-03-10')).toBe(true);
    expect(isOverdue({ dueDate: '2025-03-10', status: 'blocked' }, '2025-03-10')).toBe(false);
    expect(isOverdue({ dueDate: '2025-03-09', status: 'resolved' }, '2025-03-10')).toBe(false);
    expect(isOverdue({ dueDate: null, status: 'open' }, '2025-03-10')).toBe(false);
  });

  it('keeps titles to one line and decodes the entities Slack puts in message text', () => {
    expect(normaliseTitle('  two\n lines\t here ')).toBe('two lines here');
    expect(decodeSlackEntities('a &lt;b&gt; &amp;lt;')).toBe('a <b> &lt;');
  });
});

describe('issue form and button payloads', () => {
  it('round-trips form metadata and refuses forged metadata', () => {
    const text = newIssueMetadata({ channelId: 'C0CNATEAM', messageTs: '1741600000.000100', threadTs: '1741600000.000100' });
    expect(parseNewIssueMetadata(text)).toEqual({ channelId: 'C0CNATEAM', messageTs: '1741600000.000100', threadTs: '1741600000.000100' });
    expect(parseNewIssueMetadata('')).toEqual({});
    expect(parseNewIssueMetadata('{"c":"<!channel>"}')).toBeUndefined();
    expect(parseEditIssueMetadata('{"id":7}')).toBe(7);
    expect(parseEditIssueMetadata('{"id":"7"}')).toBeUndefined();
  });

  it('validates page tokens and issue ids from buttons', () => {
    expect(parsePageToken('{"t":[1,2],"s":"mine","p":3}')).toEqual({ t: [1, 2], s: 'mine', p: 3 });
    expect(parsePageToken('{"t":null,"s":"open","p":1}')).toEqual({ t: null, s: 'open', p: 1 });
    for (const bad of ['{"t":[1],"s":"open","p":0}', '{"t":[1],"s":"open","p":1.5}', '{"t":["1"],"s":"open","p":1}', '{"s":"open","p":1}', '[]', undefined]) {
      expect(parsePageToken(bad), String(bad)).toBeUndefined();
    }
    expect(parseIssueId('42')).toBe(42);
    for (const bad of ['0', '-1', '1e3', '4.2', ' 4', '', undefined]) expect(parseIssueId(bad), String(bad)).toBeUndefined();
  });
});

describe('decodeSlackEntities (Log as issue prefills)', () => {
  it('turns Slack markup into the text a reader sees, and decodes entities last', () => {
    expect(decodeSlackEntities('Short in <#C0CNATEAM|cna-team>, ask <@U0HFH0001|hannah> or <@U0COR0001>')).toBe('Short in #cna-team, ask @hannah or @U0COR0001');
    expect(decodeSlackEntities('<!channel> see <https://example.org/a?b=1&amp;c=2|the form> and <https://x.org>')).toBe('@channel see the form (https://example.org/a?b=1&c=2) and https://x.org');
    expect(decodeSlackEntities('<!date^1700000000^{date}|Nov 14> &lt;b&gt; &amp;')).toBe('Nov 14 <b> &');
  });
});
