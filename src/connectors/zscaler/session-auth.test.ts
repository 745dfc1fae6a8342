import { it } from 'node:test';
import assert from 'node:assert/strict';
import { jsessionFrom } from './session-auth.ts';

it('takes the session from the first JSESSIONID cookie, not the cookie that follows it', () => {
  // undici's headers, flattened by the shared client: several Set-Cookie joined with ", ".
  assert.equal(jsessionFrom('JSESSIONID=9F3A0C; Path=/; Secure; HttpOnly, ZS_SESSION_CODE=77ab; Path=/; Secure; HttpOnly'), '9F3A0C');
  assert.equal(jsessionFrom('ZS_SESSION_CODE=77ab; Path=/, JSESSIONID=ABC123; Path=/'), 'ABC123');
  assert.equal(jsessionFrom('JSESSIONID=ONLY'), 'ONLY');
  assert.equal(jsessionFrom('XJSESSIONID=nope; Path=/'), undefined);
  assert.equal(jsessionFrom(undefined), undefined);
});
