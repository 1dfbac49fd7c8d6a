/**
 * A genotype's cells drawn as standalone SVG, without graphviz (docs/method.md §2, "Cell" and "Genotype";
 * the figures of docs/method.md §6, where skip connections take over S1 to S3 and noise takes S4).
 *
 * Layout, deterministic: the inputs c_{k-2} (top) and c_{k-1} (bottom) on the left, the intermediate
 * nodes 0..3 in order from left to right (zig-zag, so that edges skipping a node pass beside it),
 * the output c_{k} on the right. Each kept edge is an arrow labelled with its op and coloured by
 * kind: parameter-free ops (`none`, pools, `skip_connect`, `noise`) in warm colours and dashed,
 * convolutions in cool colours and solid; the concat edges into c_{k} are thin and grey. An edge
 * that would cross a node is bent around it; labels slide along their edge to avoid each other.
 *
 * In a notebook: `show(cellSvg(g, 'normal'), formatGenotype(g))` (lib/io/display.ts).
 */
import { formatGenotype, type Genotype, type GenotypeEntry } from '../spaces/genotype';
import { isParameterFree, PRIMITIVES, type OpName } from '../spaces/primitives';
import { checkGenotype } from '../train/genotype_check';

/** Options of `cellSvg`. */
export interface CellSvgOptions {
  /** Caption above the cell (default 'normal cell' or 'reduction cell'; '' for none). */
  readonly title?: string;
  /** Draw a legend of the cell's ops below it (default true). */
  readonly legend?: boolean;
  /** Rendered width in px, the height following (default the drawing's own 600 px). */
  readonly width?: number;
  /**
   * Prefix of the element ids (arrowheads), letters, digits, `-` and `_`, starting with a letter;
   * the default is derived from the genotype, so equal drawings share ids and different ones don't.
   */
  readonly idPrefix?: string;
}

/** Options of `genotypeSvg`. */
export interface GenotypeSvgOptions {
  /** Title above both cells (default 'genotype'; '' for none). */
  readonly title?: string;
  /** Draw a legend of the genotype's ops (default true). */
  readonly legend?: boolean;
  /** Rendered width in px, the height following (default the drawing's own 1200 px). */
  readonly width?: number;
  /** As in `CellSvgOptions`. */
  readonly idPrefix?: string;
}

/** Whether an op has learnable weights ('conv') or not ('parameter-free', see `PARAMETER_FREE_OPS`). */
export type OpKind = 'parameter-free' | 'conv';

/** The kind of `op`, which picks its colour family and dash style. */
export function opKind(op: OpName): OpKind {
  return isParameterFree(op) ? 'parameter-free' : 'conv';
}

/** Edge colours: parameter-free ops warm (oranges, reds, browns; `none` grey), convolutions cool (blues, greens). */
export const OP_COLORS: Readonly<Record<OpName, string>> = Object.freeze({
  none: '#868e96',
  max_pool_3x3: '#c92a2a',
  avg_pool_3x3: '#8d5524',
  skip_connect: '#e8590c',
  noise: '#c2255c',
  sep_conv_3x3: '#1c7ed6',
  sep_conv_5x5: '#3b3fbf',
  dil_conv_3x3: '#2b8a3e',
  dil_conv_5x5: '#0b7285',
});

const CONCAT_COLOR = '#adb5bd';
const DASH: Record<OpKind, string> = { 'parameter-free': '6 3', conv: '' };

/** `s` with the five XML special characters escaped; safe in text and in quoted attributes. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

// ---- geometry -------------------------------------------------------------------------------

interface Point {
  readonly x: number;
  readonly y: number;
}

/** A node of the drawing: a state of the cell (0 = c_{k-2}, 1 = c_{k-1}, 2 + m = node m) or the output. */
interface NodeBox {
  readonly id: number; // state index; OUTPUT for c_{k}
  readonly center: Point;
  readonly shape: 'rect' | 'circle';
  readonly hw: number; // half width (the radius of a circle)
  readonly hh: number; // half height
}

/** A placed edge: a quadratic Bezier from `from` to `to` (trimmed to the node outlines), bent by `control`. */
interface Curve {
  readonly p0: Point;
  readonly c: Point;
  readonly p2: Point;
}

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const OUTPUT = -1;
const CELL_W = 600;
const TOP = 34; // below the caption
const BODY_H = 236; // the node area's height
const NODE_R = 16;
const FONT = 'Helvetica, Arial, sans-serif';
const LABEL_SIZE = 11;
const CHAR_W = 6.1; // estimated width of a character at LABEL_SIZE px (no text metrics in SVG strings)
const CLEARANCE = 7; // the least gap between an edge and a node it does not touch

const fmt = (v: number) => (Math.round(v * 10) / 10).toString();
const pointAt = (k: Curve, t: number): Point => ({
  x: (1 - t) * (1 - t) * k.p0.x + 2 * (1 - t) * t * k.c.x + t * t * k.p2.x,
  y: (1 - t) * (1 - t) * k.p0.y + 2 * (1 - t) * t * k.c.y + t * t * k.p2.y,
});

function layoutNodes(steps: number): NodeBox[] {
  const mid = TOP + BODY_H / 2;
  const nodes: NodeBox[] = [
    { id: 0, center: { x: 46, y: mid - 78 }, shape: 'rect', hw: 30, hh: 15 },
    { id: 1, center: { x: 46, y: mid + 78 }, shape: 'rect', hw: 30, hh: 15 },
  ];
  const x0 = 155;
  const x1 = CELL_W - 135;
  for (let m = 0; m < steps; m++) {
    const x = steps === 1 ? (x0 + x1) / 2 : x0 + ((x1 - x0) * m) / (steps - 1);
    nodes.push({ id: 2 + m, center: { x, y: mid + (m % 2 === 0 ? -42 : 42) }, shape: 'circle', hw: NODE_R, hh: NODE_R });
  }
  nodes.push({ id: OUTPUT, center: { x: CELL_W - 46, y: mid }, shape: 'rect', hw: 28, hh: 15 });
  return nodes;
}

/** The point where the ray from `node`'s centre towards `toward` leaves its outline, pushed out by `gap`. */
function boundary(node: NodeBox, toward: Point, gap: number): Point {
  const dx = toward.x - node.center.x;
  const dy = toward.y - node.center.y;
  const len = Math.hypot(dx, dy) || 1;
  const r =
    node.shape === 'circle'
      ? node.hw
      : Math.min(dx === 0 ? Infinity : node.hw / Math.abs(dx), dy === 0 ? Infinity : node.hh / Math.abs(dy)) * len;
  return { x: node.center.x + (dx / len) * (r + gap), y: node.center.y + (dy / len) * (r + gap) };
}

/** Distance from `p` to the outline of `node` (negative inside). */
function distanceTo(node: NodeBox, p: Point): number {
  if (node.shape === 'circle') return Math.hypot(p.x - node.center.x, p.y - node.center.y) - node.hw;
  const dx = Math.abs(p.x - node.center.x) - node.hw;
  const dy = Math.abs(p.y - node.center.y) - node.hh;
  return dx > 0 || dy > 0 ? Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) : Math.max(dx, dy);
}

function curveFor(from: NodeBox, to: NodeBox, bend: number): Curve {
  const a = from.center;
  const b = to.center;
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  // Positive bend: to the right of the direction of travel (downwards for a left-to-right edge).
  const c = { x: (a.x + b.x) / 2 - ((b.y - a.y) / len) * bend, y: (a.y + b.y) / 2 + ((b.x - a.x) / len) * bend };
  return { p0: boundary(from, c, 1), c, p2: boundary(to, c, 3) };
}

/** Whether the curve passes at least CLEARANCE from every node but its ends. */
function clear(k: Curve, nodes: readonly NodeBox[], from: NodeBox, to: NodeBox): boolean {
  for (let i = 1; i < 32; i++) {
    const p = pointAt(k, i / 32);
    for (const n of nodes) if (n !== from && n !== to && distanceTo(n, p) < CLEARANCE) return false;
  }
  return true;
}

/**
 * The curve of an edge: the least bend (in steps of 18 px, the preferred side first) that keeps it
 * off other nodes and away from the bends already used between the same two nodes.
 */
function route(from: NodeBox, to: NodeBox, nodes: readonly NodeBox[], used: number[], preferUp: boolean): Curve {
  const candidates = [0];
  for (let k = 1; k <= 8; k++) candidates.push(...(preferUp ? [-18 * k, 18 * k] : [18 * k, -18 * k]));
  const free = candidates.filter((b) => used.every((u) => Math.abs(u - b) >= 30));
  for (const bend of free) {
    const k = curveFor(from, to, bend);
    if (clear(k, nodes, from, to)) {
      used.push(bend);
      return k;
    }
  }
  used.push(free[0]);
  return curveFor(from, to, free[0]);
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** A label's box centred on `p`. */
function labelBox(p: Point, text: string): Box {
  const hw = (text.length * CHAR_W) / 2 + 3;
  const hh = LABEL_SIZE / 2 + 2;
  return { x0: p.x - hw, y0: p.y - hh, x1: p.x + hw, y1: p.y + hh };
}

/** Where along its curve a label goes: the first position near the middle that overlaps no node and no placed label. */
function placeLabel(k: Curve, text: string, nodes: readonly NodeBox[], placed: Box[]): Point {
  const obstacles = nodes.map((n) => ({
    x0: n.center.x - n.hw - 2,
    y0: n.center.y - n.hh - 2,
    x1: n.center.x + n.hw + 2,
    y1: n.center.y + n.hh + 2,
  }));
  for (const t of [0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8]) {
    const p = pointAt(k, t);
    const box = labelBox(p, text);
    if (![...obstacles, ...placed].some((o) => overlaps(box, o))) {
      placed.push(box);
      return p;
    }
  }
  const p = pointAt(k, 0.5);
  placed.push(labelBox(p, text));
  return p;
}

// ---- drawing --------------------------------------------------------------------------------

function checkCell(cell: unknown): asserts cell is 'normal' | 'reduce' {
  if (cell !== 'normal' && cell !== 'reduce') throw new Error(`cell = ${JSON.stringify(cell)}; expected 'normal' or 'reduce'`);
}

function checkOptions(options: CellSvgOptions | GenotypeSvgOptions, fn: string): void {
  if (options === null || typeof options !== 'object') throw new Error(`${fn}: options = ${String(options)}; expected an object`);
  const { title, width, idPrefix } = options;
  if (title !== undefined && typeof title !== 'string') throw new Error(`${fn}: options.title = ${String(title)}; expected a string`);
  if (width !== undefined && !(typeof width === 'number' && Number.isFinite(width) && width > 0)) {
    throw new Error(`${fn}: options.width = ${String(width)}; expected a positive number of px`);
  }
  if (idPrefix !== undefined && !(typeof idPrefix === 'string' && /^[A-Za-z][\w-]*$/.test(idPrefix))) {
    throw new Error(`${fn}: options.idPrefix = ${JSON.stringify(idPrefix)}; expected letters, digits, - and _, starting with a letter`);
  }
}

/** A short deterministic id prefix from `key` (FNV-1a, 32 bits). */
function defaultPrefix(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `rdarts-cell-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

const markerId = (prefix: string, op: OpName | 'concat') => `${prefix}-arrow-${op}`;

/** Arrowhead markers, one per colour. */
function defs(ops: readonly OpName[], prefix: string): string {
  const marker = (id: string, color: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
    `<path d="M0,1 L10,5 L0,9 z" fill="${color}"/></marker>`;
  const markers = ops.map((op) => marker(markerId(prefix, op), OP_COLORS[op]));
  markers.push(marker(markerId(prefix, 'concat'), CONCAT_COLOR));
  return `<defs>${markers.join('')}</defs>`;
}

/** The ops of `entries` in `PRIMITIVES` order, parameter-free first. */
function opsOf(entries: readonly GenotypeEntry[]): OpName[] {
  const present = new Set(entries.map(([op]) => op));
  const ops = PRIMITIVES.filter((op) => present.has(op));
  return [...ops.filter(isParameterFree), ...ops.filter((op) => !isParameterFree(op))];
}

/** A node's name as SVG text content: c<sub>k-2</sub>, c<sub>k-1</sub>, 0..3, c<sub>k</sub>. */
function nodeText(id: number): string {
  const sub = (s: string) => `c<tspan dy="4" font-size="10">${s}</tspan>`;
  if (id === 0) return sub('k\u22122');
  if (id === 1) return sub('k\u22121');
  if (id === OUTPUT) return sub('k');
  return String(id - 2);
}

function nodeSvg(n: NodeBox): string {
  const { x, y } = n.center;
  const text = `<text x="${fmt(x)}" y="${fmt(y + 4.5)}" text-anchor="middle" font-size="13">${nodeText(n.id)}</text>`;
  if (n.shape === 'circle') {
    return `<g class="node" data-state="${n.id}"><circle cx="${fmt(x)}" cy="${fmt(y)}" r="${n.hw}" fill="#d0ebff" stroke="#495057"/>${text}</g>`;
  }
  const fill = n.id === OUTPUT ? '#fff3bf' : '#d3f9d8';
  return (
    `<g class="node" data-state="${n.id === OUTPUT ? 'output' : n.id}"><rect x="${fmt(x - n.hw)}" y="${fmt(y - n.hh)}" ` +
    `width="${2 * n.hw}" height="${2 * n.hh}" rx="6" fill="${fill}" stroke="#495057"/>${text}</g>`
  );
}

const pathD = (k: Curve) => `M${fmt(k.p0.x)},${fmt(k.p0.y)} Q${fmt(k.c.x)},${fmt(k.c.y)} ${fmt(k.p2.x)},${fmt(k.p2.y)}`;

/**
 * One cell's caption, edges and nodes as a `<g>` of CELL_W x (TOP + BODY_H) user units, translated
 * by `dx`. Edges are drawn under the nodes; labels (with a white backing) above the edges.
 */
function cellBody(entries: readonly GenotypeEntry[], concat: readonly number[], caption: string, prefix: string, dx: number): string {
  const nodes = layoutNodes(entries.length / 2);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const output = byId.get(OUTPUT) as NodeBox;
  const bends = new Map<string, number[]>();
  const usedBends = (a: number, b: number) => {
    const key = `${a}->${b}`;
    if (!bends.has(key)) bends.set(key, []);
    return bends.get(key) as number[];
  };
  const placed: Box[] = [];
  const edges: string[] = [];
  const labels: string[] = [];
  entries.forEach(([op, input], k) => {
    const from = byId.get(input) as NodeBox;
    const to = byId.get(2 + Math.floor(k / 2)) as NodeBox;
    const curve = route(from, to, nodes, usedBends(from.id, to.id), from.id === 0 || (from.id >= 2 && from.center.y < to.center.y));
    const kind = opKind(op);
    const color = OP_COLORS[op];
    const dash = DASH[kind] ? ` stroke-dasharray="${DASH[kind]}"` : '';
    const p = placeLabel(curve, op, nodes, placed);
    const box = labelBox(p, op);
    edges.push(
      `<g class="edge" data-op="${escapeXml(op)}" data-kind="${kind}" data-from="${input}" data-to="${to.id}">` +
        `<path d="${pathD(curve)}" fill="none" stroke="${color}" stroke-width="2"${dash} marker-end="url(#${markerId(prefix, op)})"/></g>`,
    );
    labels.push(
      `<g class="label" data-op="${escapeXml(op)}"><rect x="${fmt(box.x0)}" y="${fmt(box.y0)}" width="${fmt(box.x1 - box.x0)}" ` +
        `height="${fmt(box.y1 - box.y0)}" rx="3" fill="#ffffff" fill-opacity="0.85"/>` +
        `<text x="${fmt(p.x)}" y="${fmt(p.y + 3.8)}" text-anchor="middle" font-size="${LABEL_SIZE}" fill="${color}">${escapeXml(op)}</text></g>`,
    );
  });
  for (const state of concat) {
    const from = byId.get(state) as NodeBox;
    const curve = route(from, output, nodes, usedBends(from.id, OUTPUT), from.center.y < output.center.y);
    edges.push(
      `<path class="concat-edge" data-from="${state}" d="${pathD(curve)}" fill="none" stroke="${CONCAT_COLOR}" ` +
        `stroke-width="1.3" marker-end="url(#${markerId(prefix, 'concat')})"/>`,
    );
  }
  const captionSvg = caption
    ? `<text class="caption" x="${CELL_W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(caption)}</text>`
    : '';
  return `<g class="cell" transform="translate(${dx},0)">${captionSvg}${edges.join('')}${nodes.map(nodeSvg).join('')}${labels.join('')}</g>`;
}

/** The legend of `ops` from y = `y0`, wrapped at `width`: a line sample and a name per op, grouped by kind. */
function legend(ops: readonly OpName[], width: number, y0: number): { svg: string; height: number } {
  const rowH = 18;
  const items: string[] = [];
  let x = 12;
  let row = 0;
  let lastKind: OpKind | undefined;
  const put = (w: number) => {
    if (x + w > width - 12 && x > 12) {
      x = 12;
      row += 1;
    }
    const at = { x, y: y0 + row * rowH + 12 };
    x += w;
    return at;
  };
  for (const op of ops) {
    const kind = opKind(op);
    if (kind !== lastKind) {
      const heading = kind === 'parameter-free' ? 'parameter-free:' : 'convolutions:';
      const at = put(heading.length * CHAR_W + 10);
      items.push(`<text x="${fmt(at.x)}" y="${fmt(at.y + 4)}" font-size="${LABEL_SIZE}" fill="#495057">${heading}</text>`);
      lastKind = kind;
    }
    const at = put(28 + op.length * CHAR_W + 14);
    const dash = DASH[kind] ? ` stroke-dasharray="${DASH[kind]}"` : '';
    items.push(
      `<g class="legend-item" data-op="${escapeXml(op)}" data-kind="${kind}">` +
        `<line x1="${fmt(at.x)}" y1="${fmt(at.y)}" x2="${fmt(at.x + 22)}" y2="${fmt(at.y)}" stroke="${OP_COLORS[op]}" stroke-width="2"${dash}/>` +
        `<text x="${fmt(at.x + 28)}" y="${fmt(at.y + 4)}" font-size="${LABEL_SIZE}" fill="${OP_COLORS[op]}">${escapeXml(op)}</text></g>`,
    );
  }
  const height = ops.length === 0 ? 0 : (row + 1) * rowH + 6;
  return { svg: `<g class="legend">${items.join('')}</g>`, height };
}

function svgRoot(w: number, h: number, width: number | undefined, title: string, desc: string, body: string): string {
  const rendered = width ?? w;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${fmt(h)}" width="${fmt(rendered)}" ` +
    `height="${fmt((rendered * h) / w)}" font-family="${FONT}" role="img" style="max-width:100%;height:auto">` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(desc)}</desc>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${body}</svg>`
  );
}

/**
 * One cell of `genotype` as a standalone SVG document (a string, 600 px wide by default): the
 * inputs c_{k-2} and c_{k-1}, the intermediate nodes, the output c_{k}, an arrow per kept edge
 * labelled with its op and coloured by kind, the concat edges, and a legend. The same input gives
 * the same string. Throws if `cell` is not 'normal' or 'reduce', or if the genotype is invalid
 * (the error names the entry, e.g. `genotype.normal[3]`; see `checkGenotype`).
 */
export function cellSvg(genotype: Genotype, cell: 'normal' | 'reduce', options: CellSvgOptions = {}): string {
  checkCell(cell);
  checkOptions(options, 'cellSvg');
  checkGenotype(genotype);
  const entries = genotype[cell];
  const concat = cell === 'normal' ? genotype.normalConcat : genotype.reduceConcat;
  const caption = options.title ?? (cell === 'normal' ? 'normal cell' : 'reduction cell');
  const prefix = options.idPrefix ?? defaultPrefix(`${cell}|${formatGenotype(genotype)}|${concat.join()}`);
  const ops = opsOf(entries);
  const top = caption ? 0 : TOP - 8; // without a caption, the drawing moves up
  const key = options.legend === false ? { svg: '', height: 0 } : legend(ops, CELL_W, TOP + BODY_H);
  const h = TOP + BODY_H + key.height - top;
  const body = `${defs(ops, prefix)}<g transform="translate(0,${-top})">${cellBody(entries, concat, caption, prefix, 0)}${key.svg}</g>`;
  return svgRoot(CELL_W, h, options.width, caption || `${cell} cell`, `${cell}: ${formatGenotype(genotype)}`, body);
}

/**
 * Both cells of `genotype` side by side (normal left, reduction right) under a title, with one
 * legend, as a standalone SVG document (1200 px wide by default). Validation as in `cellSvg`.
 */
export function genotypeSvg(genotype: Genotype, options: GenotypeSvgOptions = {}): string {
  checkOptions(options, 'genotypeSvg');
  checkGenotype(genotype);
  const title = options.title ?? 'genotype';
  const prefix = options.idPrefix ?? defaultPrefix(`both|${formatGenotype(genotype)}`);
  const ops = opsOf([...genotype.normal, ...genotype.reduce]);
  const titleH = title ? 30 : 0;
  const w = 2 * CELL_W;
  const key = options.legend === false ? { svg: '', height: 0 } : legend(ops, w, TOP + BODY_H);
  const h = titleH + TOP + BODY_H + key.height;
  const titleSvg = title
    ? `<text class="title" x="${w / 2}" y="22" text-anchor="middle" font-size="17" font-weight="bold">${escapeXml(title)}</text>`
    : '';
  const body =
    `${defs(ops, prefix)}${titleSvg}<g transform="translate(0,${titleH})">` +
    `${cellBody(genotype.normal, genotype.normalConcat, 'normal cell', prefix, 0)}` +
    `${cellBody(genotype.reduce, genotype.reduceConcat, 'reduction cell', prefix, CELL_W)}` +
    `<line x1="${CELL_W}" y1="8" x2="${CELL_W}" y2="${TOP + BODY_H - 8}" stroke="#dee2e6"/>${key.svg}</g>`;
  return svgRoot(w, h, options.width, title || 'genotype', formatGenotype(genotype), body);
}
