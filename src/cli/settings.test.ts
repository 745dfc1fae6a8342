import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaseMsFromEnvironment, secondsFromEnvironment } from './settings.ts';

test('a seconds setting: unset or empty is the default; a positive number is taken; anything else is refused by name', () => {
  assert.equal(secondsFromEnvironment('X_SECONDS', 7, {}), 7);
  assert.equal(secondsFromEnvironment('X_SECONDS', 7, { X_SECONDS: '' }), 7);
  assert.equal(secondsFromEnvironment('X_SECONDS', 7, { X_SECONDS: '2.5' }), 2.5);
  for (const bad of ['0', '-1', 'soon', 'Infinity']) assert.throws(() => secondsFromEnvironment('X_SECONDS', 7, { X_SECONDS: bad }), new RegExp(`X_SECONDS must be a positive number of seconds, not ${bad}`));
});

test('the worker lease: 30 s unless ROSTER_LEASE_SECONDS says otherwise', () => {
  assert.equal(leaseMsFromEnvironment({}), 30_000);
  assert.equal(leaseMsFromEnvironment({ ROSTER_LEASE_SECONDS: '8' }), 8000);
  assert.throws(() => leaseMsFromEnvironment({ ROSTER_LEASE_SECONDS: 'x' }), /ROSTER_LEASE_SECONDS/);
});
