/** Shared by bench/report-scale.ts and bench/report-run.ts: the bench workspace and its fixed "now". */
export const WS = 'T0BENCH';
/** Monday 30 November 2026: "last month" is October, inside the seeded 120 days of history. */
export const NOW = new Date('2026-11-30T15:00:00Z');
