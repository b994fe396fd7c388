/*
 * Draws charts in a worker thread (started by ./chart-renderer.ts when a chart is wanted), so the
 * app's main thread never loads Vega, Vega-Lite or resvg (tens of MB that an idle app does not
 * need) and a report's charts are drawn beside its data work rather than in its way.
 *
 * A Vega-Lite spec (built by ./charts.ts, data included) is compiled to Vega, rendered headless to
 * SVG, and rasterised by resvg with DejaVu Sans loaded from its npm package, so text renders the
 * same on a fresh machine with no system fonts.
 *
 * Plain JavaScript that imports only JavaScript packages: the same file runs from the sources (tsx,
 * vitest) and from the build (tsconfig.build.json copies it to dist/ with allowJs).
 *
 * Message in:  { id, spec, scale, maxPixels }
 * Message out: { id, png, width, height } or { id, error }
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';

const require = createRequire(import.meta.url);
const FONT_FILES = [require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')];
const FONT = 'DejaVu Sans';

/** A Vega-Lite spec to PNG at `scale` (2 = crisp on high-density screens), less when the chart would pass `maxPixels`. */
async function render(spec, scale, maxPixels) {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Vega writes the chart's size on the root element: <svg … width="560" height="240" …>.
    const size = /<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
    const area = size === null ? 0 : Number(size[1]) * Number(size[2]);
    const zoom = area === 0 ? scale : Math.max(1, Math.min(scale, Math.sqrt(maxPixels / area)));
    const image = new Resvg(svg, {
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT, sansSerifFamily: FONT },
      fitTo: { mode: 'zoom', value: zoom },
      background: 'white',
    }).render();
    return { png: image.asPng(), width: image.width, height: image.height };
  } finally {
    view.finalize();
  }
}

if (parentPort === null) throw new Error('chart-worker.mjs runs as a worker thread (see chart-renderer.ts)');
const port = parentPort;
port.on('message', (message) => {
  const { id, spec, scale, maxPixels } = message;
  render(spec, scale, maxPixels).then(
    (drawn) => port.postMessage({ id, ...drawn }),
    (error) => port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
