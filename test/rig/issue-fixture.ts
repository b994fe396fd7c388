import type { NewIssue } from '../../src/features/issue/repository.js';

/** An issue as a repository test inserts it: the fields a test cares about, the rest plain. */
export function newIssue(fields: Pick<NewIssue, 'workspaceId' | 'programTeamId' | 'title' | 'createdAt'> & Partial<NewIssue>): NewIssue {
  return {
    details: '',
    category: 'other',
    ownerId: null,
    dueDate: null,
    reporterId: 'U0REPORTER',
    sourcePermalink: null,
    sourceChannelId: null,
    sourceTs: null,
    announcementChannelId: null,
    ...fields,
  };
}
