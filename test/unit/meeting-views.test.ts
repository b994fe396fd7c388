import { describe, expect, it } from 'vitest';
import { agendaPrefill } from '../../src/features/meeting/agenda.js';
import type { Meeting } from '../../src/features/meeting/repository.js';
import { normaliseLink, parseMeetingRef, validateMeetingForm } from '../../src/features/meeting/service.js';
import { announcementView, durationText, linkMrkdwn, meetingModal, reminderView } from '../../src/features/meeting/views.js';

const now = new Date('2026-10-20T12:00:00Z');
const form = { teamId: '1', title: 'Placements', date: '2026-11-02', time: '10:00', duration: '60', place: 'Room 2', link: '', agenda: '' };

const meeting: Meeting = {
  id: 7,
  workspaceId: 'T1',
  number: 7,
  programTeamId: 1,
  title: 'Placements <!here>',
  startsAt: Date.parse('2026-11-02T15:00:00Z'),
  durationMinutes: 90,
  location: 'Room 2',
  link: 'https://meet.example.org/a|b',
  agenda: 'One & two',
  timeZone: 'America/Detroit',
  status: 'scheduled',
  creatorId: 'U1',
  channelId: 'C1',
  messageTs: '1.2',
  sequence: 0,
  createdAt: 0,
  updatedAt: 0,
  cancelledAt: null,
  cancelledBy: null,
};

describe('meeting form validation', () => {
  it('turns the scheduler’s wall-clock time into the UTC instant, on either side of a DST change', () => {
    const after = validateMeetingForm(form, 'America/Detroit', now);
    expect(after.ok && after.value.startsAt.toISOString()).toBe('2026-11-02T15:00:00.000Z');
    const before = validateMeetingForm({ ...form, date: '2026-10-30' }, 'America/Detroit', now);
    expect(before.ok && before.value.startsAt.toISOString()).toBe('2026-10-30T14:00:00.000Z');
  });

  it('reports every bad field at once, each beside its input', () => {
    const result = validateMeetingForm({ ...form, title: '', duration: '481', link: 'ftp://x.org', date: '2026-10-19' }, 'America/Detroit', now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect((result.problems ?? []).map((p) => p.field).sort()).toEqual(['meeting_date', 'meeting_duration', 'meeting_link', 'meeting_title']);
  });

  it('accepts the bounds of 15 minutes and 8 hours and nothing beyond', () => {
    expect(validateMeetingForm({ ...form, duration: '15' }, 'America/Detroit', now).ok).toBe(true);
    expect(validateMeetingForm({ ...form, duration: '480' }, 'America/Detroit', now).ok).toBe(true);
    expect(validateMeetingForm({ ...form, duration: '14' }, 'America/Detroit', now).ok).toBe(false);
    expect(validateMeetingForm({ ...form, duration: '60.5' }, 'America/Detroit', now).ok).toBe(false);
  });

  it('accepts only http(s) links with a real host', () => {
    expect(normaliseLink('https://zoom.us/j/123?pwd=a,b')).toBe('https://zoom.us/j/123?pwd=a,b');
    expect(normaliseLink('javascript:alert(1)')).toBeUndefined();
    expect(normaliseLink('https://localhost/x')).toBeUndefined();
    expect(normaliseLink('not a url')).toBeUndefined();
  });

  it('reads M-7, m-7 and 7 as meeting 7, and nothing else', () => {
    expect([parseMeetingRef('M-7'), parseMeetingRef('m-7'), parseMeetingRef('7'), parseMeetingRef('M7')]).toEqual([7, 7, 7, 7]);
    expect([parseMeetingRef('V-7'), parseMeetingRef('M-0'), parseMeetingRef(''), parseMeetingRef(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('agenda prefill', () => {
  it('lists blocked and overdue issues, then votes with their leaders, hiding results the creator hid', () => {
    const text = agendaPrefill({
      issues: [
        { key: 'CNA-1', title: 'Placements', blocked: true },
        { key: 'CNA-2', title: 'Checklist', blocked: true, overdueSince: '2026-10-01' },
      ],
      votes: [
        { key: 'V-1', question: 'First event?', open: true, leaders: ['Fair', 'Visits'], ballots: 4, hidden: false },
        { key: 'V-2', question: 'Secret?', open: true, leaders: [], ballots: 2, hidden: true },
        { key: 'V-3', question: 'Done?', open: false, leaders: ['Yes'], ballots: 1, hidden: false },
      ],
    });
    expect(text).toBe(
      [
        'Blocked and overdue issues',
        '- CNA-1 Placements (blocked)',
        '- CNA-2 Checklist (blocked, overdue since 2026-10-01)',
        '',
        'Votes',
        '- V-1 First event? (open, leading: Fair / Visits (4 ballots))',
        '- V-2 Secret? (open, results hidden until it closes, 2 ballots)',
        '- V-3 Done? (closed, result: Yes (1 ballot))',
      ].join('\n'),
    );
  });

  it('is empty when the team has nothing open', () => {
    expect(agendaPrefill({ issues: [], votes: [] })).toBe('');
  });

  it('stays within the input limit and says how many items did not fit', () => {
    const issues = Array.from({ length: 200 }, (_, i) => ({ key: `CNA-${i + 1}`, title: 'x'.repeat(40), blocked: true }));
    const text = agendaPrefill({ issues, votes: [] });
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/…and \d+ more items$/);
  });
});

describe('meeting views', () => {
  it('escapes user text in the announcement and keeps links from breaking out', () => {
    const view = announcementView({ meeting, teamKey: 'CNA', rsvps: [{ userId: 'U2', answer: 'going', updatedAt: 0 }] });
    const mrkdwn = JSON.stringify(view.blocks.filter((b) => b.type !== 'header')) + view.text;
    expect(mrkdwn).not.toContain('<!here>');
    expect(mrkdwn).toContain('One &amp; two');
    expect(linkMrkdwn('https://x.org/a|b>', 'Join')).toBe('<https://x.org/a%7Cb&gt;|Join>');
    expect(mrkdwn).toContain('Going (1)*: <@U2>');
    expect(durationText(90)).toBe('1 h 30 min');
  });

  it('strikes a cancelled meeting through and drops its buttons', () => {
    const view = announcementView({ meeting: { ...meeting, status: 'cancelled' }, teamKey: 'CNA', rsvps: [], cancelledBy: 'U9' });
    expect(view.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(view.blocks)).toContain('~*M-7*');
    expect(JSON.stringify(view.blocks)).toContain('cancelled* by <@U9>');
  });

  it('names time, place and agenda in a reminder', () => {
    const view = reminderView(meeting, 'CNA', '1h');
    const text = JSON.stringify(view.blocks);
    expect(view.text).toContain('starts in 1 hour');
    expect(text).toContain('<!date^1793631600^');
    expect(text).toContain('Room 2');
    expect(text).toContain('One &amp; two');
  });

  it('builds an edit modal prefilled with the stored values and a 24-character title', () => {
    const modal = meetingModal({
      mode: 'edit',
      teams: [{ id: 1, key: 'CNA', name: 'Certified Nursing Assistant' }],
      meetingNumber: 123456,
      timeZone: 'America/Detroit',
      values: { title: 'T', date: '2026-11-02', time: '10:00', duration: 90, place: 'P', link: 'https://x.org', agenda: 'A' },
      privateMetadata: '{}',
    });
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.callback_id).toBe('meeting_edit');
    expect(modal.blocks.some((b) => b.block_id === 'meeting_team')).toBe(false);
    expect(JSON.stringify(modal.blocks)).toContain('"initial_option":{"text":{"type":"plain_text","text":"1 h 30 min"},"value":"90"}');
  });
});
