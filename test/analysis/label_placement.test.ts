import * as assert from 'assert';
import { placeLabels, type LabelPoint } from '../../lib/analysis/label_placement';

const area = { width: 650, height: 430 };

describe('scatter label placement', () => {
  it('puts the labels of two nearly coincident points on opposite sides, the higher one above', () => {
    // Notebook 02 at mini: dp-0.4 (0.158, 22.30) and l2-0.0243 (0.160, 22.44) among other S3 points.
    const points: LabelPoint[] = [
      { name: 'dp-0.4', x: 0.158, y: 22.3 },
      { name: 'l2-0.0243', x: 0.16, y: 22.44 },
      { name: 'a', x: 0.09, y: 21.9 },
      { name: 'b', x: 0.6, y: 21.8 },
      { name: 'c', x: 0.27, y: 25.1 },
    ];
    const labels = placeLabels(points, area);
    assert.strictEqual(labels.get('l2-0.0243')?.position, 'top center');
    assert.strictEqual(labels.get('dp-0.4')?.position, 'bottom center');
    assert.deepStrictEqual([...labels.values()].map((l) => l.text).sort(), ['a', 'b', 'c', 'dp-0.4', 'l2-0.0243']);
  });

  it('gives points at the same place one label with every name, on the first of them', () => {
    const labels = placeLabels(
      [
        { name: 'p', x: 1, y: 2 },
        { name: 'q', x: 1, y: 2 },
        { name: 'r', x: 3, y: 1 },
      ],
      area,
    );
    assert.strictEqual(labels.get('p')?.text, 'p, q');
    assert.strictEqual(labels.get('q')?.text, '');
    assert.strictEqual(labels.get('r')?.text, 'r');
  });

  it('moves a label sideways when points sit right above and below it', () => {
    // A column of three points about 14 px apart in the middle of the plot: the middle one has no room above or below.
    const points: LabelPoint[] = [
      { name: 'top', x: 0, y: 1.4 },
      { name: 'mid', x: 0, y: 0.7 },
      { name: 'low', x: 0, y: 0 },
      { name: 'far', x: 10, y: -10 },
      { name: 'far2', x: 10, y: 10 },
    ];
    const labels = placeLabels(points, area);
    assert.match(labels.get('mid')?.position ?? '', /^middle /);
    assert.strictEqual(labels.get('top')?.position, 'top center');
    assert.strictEqual(labels.get('low')?.position, 'bottom center');
  });

  it('keeps labels inside the plot area: a point at the right edge is not labelled to its right', () => {
    const labels = placeLabels(
      [
        { name: 'left-edge-point', x: 0, y: 0 },
        { name: 'right-edge-point', x: 1, y: 0 },
      ],
      area,
    );
    assert.notStrictEqual(labels.get('right-edge-point')?.position, 'middle right');
    assert.notStrictEqual(labels.get('left-edge-point')?.position, 'middle left');
  });

  it('handles one point and a log x axis', () => {
    assert.strictEqual(placeLabels([{ name: 'only', x: 5, y: 5 }], area).get('only')?.text, 'only');
    const log = placeLabels(
      [
        { name: 'a', x: 1e-4, y: 1 },
        { name: 'b', x: 1e-1, y: 1.01 },
      ],
      { ...area, logX: true },
    );
    assert.strictEqual(log.size, 2);
  });
});
