import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gauge, stackedBars } from './charts.ts';

describe('inline SVG charts', () => {
  it('draws each non-zero value as a segment sized to the tallest day, with an accessible title', async () => {
    const svg = String(await stackedBars('Per day', ['2026-01-01', '2026-01-02'], [{ label: 'done', tone: 'good', values: [2, 4] }, { label: 'failed', tone: 'bad', values: [0, 4] }], { width: 124, height: 124 }));
    assert.equal((svg.match(/<rect /g) ?? []).length, 3, 'the zero is not drawn');
    assert.match(svg, /aria-label="Per day"/);
    assert.match(svg, /height="50\.0"><title>2026-01-02: 4 done/, 'half of the tallest bar (100 px) for 4 of 8');
    assert.doesNotMatch(svg, /style=/, 'no inline styles: the CSP allows none');
  });

  it('escapes labels and caps a gauge at its track', async () => {
    const svg = String(await gauge('<b>x</b>', 1.7, '170 of 100'));
    assert.match(svg, /&lt;b&gt;x&lt;\/b&gt;/);
    assert.match(svg, /class="tone-bad" x="0" y="0" width="220\.0"/);
  });
});
