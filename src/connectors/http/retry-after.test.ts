import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, retryAfterFrom } from './retry-after.ts';

const now = Date.parse('2026-11-22T10:00:00Z');

it('reads every form of Retry-After', () => {
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('2 seconds', now), 2000);
  assert.equal(parseRetryAfter('1 second', now), 1000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter(5, now), 5000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter('-1', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

it('takes the header first, then a body field, then a rate-limit reset header', () => {
  assert.equal(retryAfterFrom({ 'retry-after': '4' }, { 'Retry-After': '9 seconds' }, now), 4000);
  assert.equal(retryAfterFrom({}, { message: 'Rate Limit (1/SECOND) exceeded', 'Retry-After': '1 seconds' }, now), 1000);
  assert.equal(retryAfterFrom({ 'ratelimit-reset': '17' }, {}, now), 17_000);
  assert.equal(retryAfterFrom({ 'x-ratelimit-reset': String(now / 1000 + 5) }, {}, now), 5000);
  // Okta: a 429 says nothing but x-rate-limit-reset, the window's end in epoch seconds.
  assert.equal(retryAfterFrom({ 'x-rate-limit-reset': String(now / 1000 + 3) }, { errorCode: 'E0000047' }, now), 3000);
  assert.equal(retryAfterFrom({}, [], now), undefined);
});
