import { it } from 'node:test';
import assert from 'node:assert/strict';
import { excerptLength, redact, redactText, vendorExcerpt } from './redact.ts';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyb3N0ZXIifQ.c2lnbmF0dXJlLXZhbHVl';

it('redacts credentials in free text and keeps the words around them', () => {
  const cases: [string, string][] = [
    ['invalid request, Authorization: Bearer abc123def456 was refused', 'invalid request, Authorization: [redacted] [redacted] was refused'],
    [`token ${jwt} expired`, 'token [redacted] expired'],
    ['{"userName":"jane","password":"Hunter2!","apiKey":"k-123"}', '{"userName":"jane","password":"[redacted]","apiKey":"[redacted]"}'],
    ["{'client_secret': 'cs-987', 'status': 'bad'}", "{'client_secret': '[redacted]', 'status': 'bad'}"],
    ['GET /users?api_key=AKIA1234&page=2 failed', 'GET /users?api_key=[redacted]&page=2 failed'],
    ['access_token=tok999; session_id: s-42, user jane', 'access_token=[redacted]; session_id: [redacted], user jane'],
    ['Set-Cookie: JSESSIONID=0123456789ABCDEF; Path=/; HttpOnly\nnext line', 'Set-Cookie: [redacted]\nnext line'],
    ['Basic dXNlcjpwYXNzd29yZA== sent', 'Basic [redacted] sent'],
    ['userName must be unique; the token has expired; Basic auth is off', 'userName must be unique; the token has expired; Basic auth is off'],
    ['checks passed: 5; bypass: none; keys: 3', 'checks passed: 5; bypass: none; keys: 3'],
    ['GET /v1/users?key=AIzaSyA1&pass=letmein1 refused', 'GET /v1/users?key=[redacted]&pass=[redacted] refused'],
  ];
  for (const [text, expected] of cases) {
    assert.equal(redactText(text), expected, text);
    assert.equal(redactText(expected), expected, 'redacting twice changes nothing');
  }
});

it('redacts strings in audit details as well as secret-looking keys', () => {
  assert.deepEqual(redact({ reason: 'hr: POST /Users answered 400: password=Hunter2 is wrong', token: 'x', nested: [{ note: `bearer ${jwt}` }], count: 3 }), {
    reason: 'hr: POST /Users answered 400: password=[redacted] is wrong',
    token: '[redacted]',
    nested: [{ note: 'bearer [redacted]' }],
    count: 3,
  });
});

it('makes a short one-line excerpt of a vendor body, without markup or opaque keys', () => {
  const html = `<html><head><style>p { color: red }</style></head><body><h1>502 Bad Gateway</h1>\n<p>upstream said: key ${'A1b2C3d4'.repeat(5)} refused</p></body></html>`;
  assert.equal(vendorExcerpt(html), '502 Bad Gateway upstream said: key [redacted] refused');
  assert.equal(vendorExcerpt('User 2819c223-7f76-453a-919d-413861904646 not found'), 'User 2819c223-7f76-453a-919d-413861904646 not found', 'ids survive');
  const long = vendorExcerpt(`${'word '.repeat(100)}password=Hunter2`);
  assert.equal(long?.length, excerptLength);
  assert.ok(long?.endsWith('…'));
  assert.equal(vendorExcerpt(' \n '), undefined);
  const cutSecret = vendorExcerpt(`${'x'.repeat(excerptLength - 10)} token=0123456789abcdefghij`);
  assert.ok(!cutSecret?.includes('0123'), 'a secret cut by the excerpt is redacted before the cut');
});
