/**
 * Charts as PNG without a browser: a Vega-Lite spec (declarative, data in) built here is drawn by
 * ./chart-render.ts (Vega → SVG → resvg with DejaVu Sans from its npm package, so text renders the
 * same on a fresh machine with no system fonts), loaded with the first chart. Colours are the
 * Okabe–Ito palette, distinguishable with every common colour-vision deficiency. Each chart comes
 * with alt text that states its figures, for screen readers and for Slack's file preview.
 */
import type { TopLevelSpec } from 'vega-lite';

/** The font ./chart-render.ts gives resvg (from dejavu-fonts-ttf, the only font it has). */
const FONT = 'DejaVu Sans';

/** Okabe & Ito (2008): safe for protanopia, deuteranopia and tritanopia, and in greyscale by lightness. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

/** Slack's limit for a file's alt text. */
export const ALT_TEXT_MAX = 1000;

export interface Chart {
  /** File name, e.g. `issues-per-week.png`. */
  filename: string;
  title: string;
  altText: string;
  png: Buffer;
  width: number;
  height: number;
}

const baseConfig = {
  font: FONT,
  background: 'white',
  padding: 16,
  title: { fontSize: 16, anchor: 'start', offset: 12, subtitleFontSize: 12, subtitleColor: '#444444' },
  axis: { labelFontSize: 12, titleFontSize: 12, labelColor: '#222222', titleColor: '#222222', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top' },
  header: { labelFontSize: 13, labelFontWeight: 'bold', titleFontSize: 12 },
  view: { stroke: null },
} as const;

/**
 * The most pixels one chart may have. A tall chart (many teams, many organisations) is drawn at a
 * lower zoom to stay under it, which bounds the memory a report needs: resvg holds 4 bytes a pixel,
 * and more while it encodes the PNG, until V8 collects the image (a report's three charts at 3
 * million pixels each took about 15 MB more at their peak than at 1.5 million). A one-team chart
 * stays well under it, at twice its size for high-density screens.
 */
export const MAX_PIXELS = 1_500_000;

/** Renders a Vega-Lite spec to PNG at `scale` (2 = crisp on high-density screens), less for very large charts. */
export async function renderChart(spec: TopLevelSpec, scale = 2): Promise<{ png: Buffer; width: number; height: number }> {
  // Loaded here rather than at start-up: an app that has not drawn a chart does without Vega and resvg.
  const { drawChart } = await import('./chart-render.js');
  return drawChart({ ...spec, config: { ...baseConfig, ...(spec.config ?? {}) } }, scale, MAX_PIXELS);
}

export function clipAlt(text: string): string {
  return text.length <= ALT_TEXT_MAX ? text : `${text.slice(0, ALT_TEXT_MAX - 1)}…`;
}

export interface WeekCount {
  team: string;
  week: string;
  opened: number;
  resolved: number;
}

const KIND_COLOURS = { domain: ['Opened', 'Resolved'], range: [PALETTE[0], PALETTE[1]] };

/** Issues opened vs resolved per week: grouped bars, one panel per team. */
export async function openedResolvedChart(weeks: readonly WeekCount[], subtitle: string, opts: { filename?: string; compact?: boolean } = {}): Promise<Chart> {
  const teams = [...new Set(weeks.map((w) => w.team))];
  const values = weeks.flatMap((w) => [
    { team: w.team, week: w.week, kind: 'Opened', n: w.opened },
    { team: w.team, week: w.week, kind: 'Resolved', n: w.resolved },
  ]);
  const compact = opts.compact === true;
  const weekCount = new Set(weeks.map((w) => w.week)).size;
  const inner = {
    width: compact ? 420 : Math.max(360, Math.min(900, weekCount * 48)),
    height: compact ? 140 : 160,
    mark: { type: 'bar' as const, tooltip: false },
    encoding: {
      x: { field: 'week', type: 'ordinal' as const, title: compact ? 'Week starting' : 'Week starting (Monday)', axis: { labelAngle: -45, labelExpr: "timeFormat(toDate(datum.value + 'T12:00:00'), '%d %b')" } },
      xOffset: { field: 'kind', type: 'nominal' as const },
      y: { field: 'n', type: 'quantitative' as const, title: 'Issues', scale: { domain: { unionWith: [0, 1] } }, axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'kind', type: 'nominal' as const, title: null, scale: KIND_COLOURS },
    },
  };
  const title = teams.length === 1 ? `${teams[0] ?? ''}: issues opened vs resolved per week` : 'Issues opened vs resolved per week, by team';
  const spec: TopLevelSpec =
    teams.length <= 1
      ? ({ title: { text: title, subtitle }, data: { values }, ...inner })
      : ({
          title: { text: title, subtitle },
          data: { values },
          facet: { row: { field: 'team', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontSize: 14 } } },
          spec: inner,
          resolve: { scale: { y: 'independent' } },
        });
  const rendered = await renderChart(spec);
  const byTeam = teams.map((team) => {
    const rows = weeks.filter((w) => w.team === team);
    const o = rows.reduce((s, w) => s + w.opened, 0);
    const r = rows.reduce((s, w) => s + w.resolved, 0);
    const detail = rows.map((w) => `${w.week}: ${w.opened} opened, ${w.resolved} resolved`).join('; ');
    return `${team}: ${o} opened and ${r} resolved in total (${detail})`;
  });
  return {
    filename: opts.filename ?? 'issues-opened-vs-resolved.png',
    title,
    altText: clipAlt(`Bar chart of issues opened (blue) and resolved (orange) per week, ${subtitle}. ${byTeam.join('. ')}.`),
    ...rendered,
  };
}

export interface OrganisationShare {
  team: string;
  organisation: string;
  /** How many of the events the organisation took part in, out of how many it could. */
  count: number;
  of: number;
}

/**
 * Horizontal bars per organisation (one colour per team), labelled "n of m". The subtitle's note goes
 * on a line of its own: without a browser, Vega sizes text by an estimate (0.8 × font size a
 * character, wider than DejaVu Sans' letters), and one long subtitle line made the canvas about 400
 * pixels wider than the chart, whose right part was left empty.
 */
async function organisationChart(rows: readonly OrganisationShare[], o: { filename: string; title: string; subtitle: string; note: string; axisTitle: string; noun: string; altLead: string }): Promise<Chart> {
  const teams = [...new Set(rows.map((r) => r.team))];
  const values = rows.map((r) => ({ ...r, share: r.of === 0 ? 0 : r.count / r.of, label: `${r.count} of ${r.of}` }));
  const organisations = new Set(rows.map((r) => r.organisation)).size;
  const y = { field: 'organisation', type: 'nominal', title: null, sort: 'ascending', axis: { labelLimit: 340 } };
  const spec = {
    title: { text: o.title, subtitle: [o.subtitle, o.note] },
    data: { values },
    width: 520,
    height: { step: teams.length > 1 ? 14 : 26 },
    encoding: {
      y,
      ...(teams.length > 1 ? { yOffset: { field: 'team', type: 'nominal' } } : {}),
      x: { field: 'share', type: 'quantitative', title: o.axisTitle, scale: { domain: [0, 1] }, axis: { format: '.0%', tickCount: 4 } },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: { color: { field: 'team', type: 'nominal', title: 'Team', scale: { range: [...PALETTE] }, legend: teams.length > 1 ? {} : null } },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#222222' }, encoding: { text: { field: 'label' } } },
    ],
  } as unknown as TopLevelSpec;
  const rendered = organisations === 0 ? await renderChart(emptySpec(o.title, [o.subtitle, o.note], `No ${o.noun} in this period.`)) : await renderChart(spec);
  const detail = rows.map((r) => `${teams.length > 1 ? `${r.team} · ` : ''}${r.organisation}: ${r.count} of ${r.of}`).join('; ');
  const subtitle = `${o.subtitle} · ${o.note}`;
  return { filename: o.filename, title: o.title, altText: clipAlt(rows.length === 0 ? `${o.title}, ${subtitle}: no ${o.noun} in this period.` : `${o.altLead}, ${subtitle}. ${detail}.`), ...rendered };
}

function emptySpec(title: string, subtitle: string[], note: string): TopLevelSpec {
  return { title: { text: title, subtitle }, width: 520, height: 90, data: { values: [{ note }] }, mark: { type: 'text', fontSize: 18, color: '#444444' }, encoding: { text: { field: 'note' } } };
}

export function meetingAttendanceChart(rows: readonly OrganisationShare[], subtitle: string): Promise<Chart> {
  return organisationChart(rows, {
    filename: 'meeting-attendance-by-organisation.png',
    title: 'Meeting attendance by organisation',
    subtitle,
    note: 'meetings held where someone from the organisation said Going',
    axisTitle: 'Share of meetings held',
    noun: 'meetings held',
    altLead: 'Bar chart of meetings held at which each organisation had someone who said Going',
  });
}

export function voteTurnoutChart(rows: readonly OrganisationShare[], subtitle: string): Promise<Chart> {
  return organisationChart(rows, {
    filename: 'vote-turnout-by-organisation.png',
    title: 'Vote turnout by organisation',
    subtitle,
    note: 'decided votes the organisation voted in (anonymous per-person votes left out)',
    axisTitle: 'Share of decided votes',
    noun: 'decided votes',
    altLead: 'Bar chart of decided votes each organisation voted in',
  });
}

export interface GoalPoint {
  /** "CNA G-1 Clinical placement slots (slots)": one panel per goal. */
  goal: string;
  /** YYYY-MM-DD. */
  date: string;
  value: number;
  series: 'Readings' | 'Pace line';
}

/** Each measure goal's readings against its pace line (baseline on the start date to target on the target date). */
export async function goalProgressChart(points: readonly GoalPoint[], subtitle: string, period: { firstDay: string; lastDay: string }): Promise<Chart> {
  const goals = [...new Set(points.map((p) => p.goal))];
  const inner = {
    width: 420,
    height: 180,
    layer: [
      {
        mark: { type: 'rect', color: '#f0f0f0' },
        data: { values: [{ from: period.firstDay, to: period.lastDay }] },
        encoding: { x: { field: 'from', type: 'temporal' }, x2: { field: 'to' } },
      },
      {
        mark: { type: 'line', point: true, strokeWidth: 2.5 },
        encoding: {
          x: { field: 'date', type: 'temporal', title: null, axis: { format: '%b %Y', labelAngle: -30, tickCount: 5 } },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['Readings', 'Pace line'], range: [PALETTE[0], PALETTE[5]] } },
          strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: ['Readings', 'Pace line'], range: [[1, 0], [6, 4]] } },
        },
      },
    ],
  };
  const spec = {
    title: { text: 'Goal progress against the pace line', subtitle: `${subtitle} · shaded: the report's period` },
    data: { values: points },
    facet: { field: 'goal', type: 'nominal', title: null, columns: 2, header: { labelFontSize: 13, labelFontWeight: 'bold', labelLimit: 420 } },
    spec: inner,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
  const rendered = await renderChart(spec);
  const detail = goals
    .map((g) => {
      const readings = points.filter((p) => p.goal === g && p.series === 'Readings').slice(1);
      const line = points.filter((p) => p.goal === g && p.series === 'Pace line');
      const from = line[0];
      const to = line[1];
      const read = readings.length === 0 ? 'no readings yet' : readings.map((r) => `${r.date}: ${r.value}`).join(', ');
      return `${g}: pace line from ${from?.value ?? '?'} on ${from?.date ?? '?'} to ${to?.value ?? '?'} on ${to?.date ?? '?'}; readings ${read}`;
    })
    .join('. ');
  return { filename: 'goal-progress.png', title: 'Goal progress against the pace line', altText: clipAlt(`Line charts, one per goal, of readings (solid blue) against the pace line (dashed vermilion), ${subtitle}. ${detail}.`), ...rendered };
}
