/*
 * Draws a chart: a Vega-Lite spec (built by ./charts.ts, data included) is compiled to Vega,
 * rendered headless to SVG, and rasterised by resvg with DejaVu Sans loaded from its npm package,
 * so text renders the same on a fresh machine with no system fonts.
 *
 * ./charts.ts imports this module when the first chart is wanted, not when the app starts: Vega,
 * Vega-Lite and resvg are tens of megabytes that an app which has drawn no chart does not need.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const require = createRequire(import.meta.url);
const FONT_FILES = [require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')];
/** The one font resvg has (the specs ask for it by name). */
const FONT = 'DejaVu Sans';

/** A Vega-Lite spec to PNG at `scale` (2 = crisp on high-density screens), less when the chart would pass `maxPixels`. */
export async function drawChart(spec: TopLevelSpec, scale: number, maxPixels: number): Promise<{ png: Buffer; width: number; height: number }> {
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
