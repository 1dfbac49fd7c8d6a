/**
 * Where to put the text label of each point of a scatter, so that labels cover neither each other
 * nor the markers. Plotly places point text only at fixed positions around the marker and does not
 * avoid collisions; with ten S3 searches within a few tenths of an eigenvalue and a test-error
 * point of each other (notebook 02 at mini), labels alternating above and below ran into each
 * other. This estimates each label's box in pixels from the data's extent and picks, greedily, the
 * position around its marker that overlaps least with the markers and the labels already placed.
 */

/** A point to label, in data coordinates. */
export interface LabelPoint {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/** The plot area the points are drawn in, in pixels, and whether the x axis is logarithmic. */
export interface LabelArea {
  readonly width: number;
  readonly height: number;
  readonly logX?: boolean;
  /** Font size of the labels in pixels (default 9). */
  readonly fontSize?: number;
  /** Marker size (diameter) in pixels (default 11). */
  readonly markerSize?: number;
}

/** A plotly `textposition` and the text to show ('' for points that share a place with an earlier one). */
export interface PlacedLabel {
  readonly text: string;
  readonly position: 'top center' | 'bottom center' | 'middle right' | 'middle left';
}

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Pixel coordinates (y up) of a value on an axis that plotly autoranges with about 5% padding each side. */
function scaler(values: readonly number[], pixels: number): (v: number) => number {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi > lo ? hi - lo : Math.abs(lo) || 1;
  const from = lo - 0.05 * span;
  const to = hi + 0.05 * span;
  return (v) => ((v - from) / (to - from)) * pixels;
}

/**
 * Labels for `points`: points at the same place share one label (their names joined, on the first
 * of them); every other label goes above, below, right or left of its marker, whichever overlaps
 * least with all markers and the labels placed before it (ties: above, below, right, left, in that
 * order). Points are placed from the most crowded outwards, so that crowded ones choose first.
 */
export function placeLabels(points: readonly LabelPoint[], area: LabelArea): Map<string, PlacedLabel> {
  const font = area.fontSize ?? 9;
  const marker = area.markerSize ?? 11;
  const gap = marker / 2 + 2;
  const tx = (x: number) => (area.logX ? Math.log10(x) : x);
  const px = scaler(
    points.map((p) => tx(p.x)),
    area.width,
  );
  const py = scaler(
    points.map((p) => p.y),
    area.height,
  );
  const at = points.map((p) => ({ ...p, cx: px(tx(p.x)), cy: py(p.y) }));
  const byPlace = new Map<string, string[]>();
  for (const p of points) byPlace.set(`${p.x},${p.y}`, [...(byPlace.get(`${p.x},${p.y}`) ?? []), p.name]);
  const markers: Box[] = at.map((p) => ({ x0: p.cx - marker / 2, x1: p.cx + marker / 2, y0: p.cy - marker / 2, y1: p.cy + marker / 2 }));
  // Crowding: how many other markers lie within 60 px; the most crowded are placed first.
  const crowd = (p: (typeof at)[number]) => at.filter((q) => q !== p && Math.hypot(q.cx - p.cx, q.cy - p.cy) < 60).length;
  const order = [...at].sort((a, b) => crowd(b) - crowd(a) || a.cx - b.cx || a.cy - b.cy);
  const placed: Box[] = [];
  const labels = new Map<string, PlacedLabel>();
  for (const p of order) {
    const names = byPlace.get(`${p.x},${p.y}`) as string[];
    if (names[0] !== p.name) {
      labels.set(p.name, { text: '', position: 'top center' });
      continue;
    }
    const text = names.join(', ');
    const w = text.length * font * 0.6;
    const h = font * 1.3;
    const candidates: [PlacedLabel['position'], Box][] = [
      ['top center', { x0: p.cx - w / 2, x1: p.cx + w / 2, y0: p.cy + gap, y1: p.cy + gap + h }],
      ['bottom center', { x0: p.cx - w / 2, x1: p.cx + w / 2, y0: p.cy - gap - h, y1: p.cy - gap }],
      ['middle right', { x0: p.cx + gap, x1: p.cx + gap + w, y0: p.cy - h / 2, y1: p.cy + h / 2 }],
      ['middle left', { x0: p.cx - gap - w, x1: p.cx - gap, y0: p.cy - h / 2, y1: p.cy + h / 2 }],
    ];
    let best = candidates[0];
    let bestCost = Infinity;
    for (const c of candidates) {
      const box = c[1];
      // Leaving the plot area costs as much as covering something of the same size.
      const outside = w * h - overlap(box, { x0: 0, x1: area.width, y0: 0, y1: area.height });
      const cost = [...markers, ...placed].reduce((s, b) => s + overlap(box, b), 0) + outside;
      if (cost < bestCost - 1e-9) {
        best = c;
        bestCost = cost;
      }
    }
    placed.push(best[1]);
    labels.set(p.name, { text, position: best[0] });
  }
  return labels;
}
