import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartOut } from './data/types.js';

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Renders one chart to SVG with vega's headless view (no DOM, no canvas). A chart without data becomes
 * a small SVG that says so; the title and as-of date are written in, so a mailed chart carries them.
 */
export async function renderSvg(chart: ChartOut, o: { asOf: string | null; stale: boolean; width?: number }): Promise<string> {
  const caption = `${chart.title} — as of ${o.asOf ?? 'n/a'}${o.stale ? ' (data not fresh)' : ''}`;
  if (!chart.spec) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="60"><text x="8" y="24" font-family="sans-serif" font-size="13">${escapeXml(caption)}</text><text x="8" y="46" font-family="sans-serif" font-size="12" fill="#666">${escapeXml(chart.empty ?? 'no data')}</text></svg>`;
  }
  const spec = { ...chart.spec, title: caption, autosize: { type: 'pad' } } as TopLevelSpec & { width?: unknown };
  if (spec.width === 'container' || spec.width === undefined) spec.width = o.width ?? 560;
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
