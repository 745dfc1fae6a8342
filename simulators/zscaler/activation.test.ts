import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startZiaSimulator } from './simulator.ts';
import { ziaSession } from './testing.ts';

const sim = await startZiaSimulator({
  rateLimits: false,
  activationMs: 80,
  users: [{ name: 'Already Here', email: 'here@example.com', department: 'Sales', groups: ['Employees'] }],
});
after(() => sim.close());
const zia = await ziaSession(sim.baseUrl);
const employees = [...sim.state.groups.values()].find((g) => g.name === 'Employees');
const sales = [...sim.state.departments.values()].find((d) => d.name === 'Sales');
assert.ok(employees && sales);
const status = async () => ((await (await zia.get('/status')).json()) as { status: string }).status;
const waitFor = async (want: string) => {
  for (let i = 0; i < 100 && (await status()) !== want; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await status(), want);
};

test('writes succeed but change nothing live until POST /status/activate; status PENDING → INPROGRESS → ACTIVE', async () => {
  assert.equal(await status(), 'ACTIVE');
  const [here] = sim.state.liveUsers();
  assert.ok(here);

  const created = await (
    await zia.post('/users', {
      name: 'Joiner',
      email: 'joiner@example.com',
      password: 'Str0ng!pass',
      groups: [{ id: employees.id }],
      department: { id: sales.id },
    })
  ).json();
  assert.equal((await zia.put(`/users/${here.id}`, { id: here.id, name: 'Renamed', email: here.email })).status, 200);

  // The API (like the admin portal) shows the draft...
  assert.equal((await zia.get(`/users/${created.id}`)).status, 200);
  assert.equal(sim.state.draftUsers().length, 2);
  // ...but nothing is enforced yet: forgetting to activate fails silently.
  assert.deepEqual(
    sim.state.liveUsers().map((u) => u.name),
    ['Already Here'],
  );
  assert.equal(await status(), 'PENDING');
  assert.equal(sim.state.activations, 0);

  const act = await zia.post('/status/activate');
  assert.equal(act.status, 200);
  assert.equal((await act.json()).status, 'INPROGRESS');
  assert.equal(await status(), 'INPROGRESS');
  await waitFor('ACTIVE');
  assert.equal(sim.state.activations, 1);
  assert.deepEqual(
    sim.state.liveUsers().map((u) => u.name),
    ['Renamed', 'Joiner'],
  );
  assert.equal(sim.state.liveUsers()[0]?.department, undefined, 'the full-replace PUT reached live policy too');

  // Deletes are staged the same way.
  assert.equal((await zia.delete(`/users/${created.id}`)).status, 204);
  assert.equal(sim.state.liveUsers().length, 2);
  assert.equal(await status(), 'PENDING');
  await zia.post('/status/activate');
  await waitFor('ACTIVE');
  assert.deepEqual(
    sim.state.liveUsers().map((u) => u.name),
    ['Renamed'],
  );
});

test('writes during an activation get EDIT_LOCK_NOT_AVAILABLE', async () => {
  const [u] = sim.state.draftUsers();
  assert.ok(u);
  await zia.put(`/users/${u.id}`, { id: u.id, name: 'During', email: u.email });
  await zia.post('/status/activate');
  const res = await zia.put(`/users/${u.id}`, { id: u.id, name: 'Blocked', email: u.email });
  assert.equal(res.status, 409);
  assert.equal((await res.json()).code, 'EDIT_LOCK_NOT_AVAILABLE');
  await waitFor('ACTIVE');
  assert.equal((await zia.put(`/users/${u.id}`, { id: u.id, name: 'After', email: u.email })).status, 200);
});

test('editLockConflicts: the next N writes get 409 EDIT_LOCK_NOT_AVAILABLE, then a retry succeeds', async () => {
  const [u] = sim.state.draftUsers();
  assert.ok(u);
  sim.state.editLockConflicts = 2;
  const body = { id: u.id, name: 'Locked Out', email: u.email };
  for (let i = 0; i < 2; i++) {
    const res = await zia.put(`/users/${u.id}`, body);
    assert.equal(res.status, 409);
    assert.equal((await res.json()).code, 'EDIT_LOCK_NOT_AVAILABLE');
  }
  assert.equal((await zia.get(`/users/${u.id}`)).status, 200, 'reads are not locked');
  assert.equal((await zia.put(`/users/${u.id}`, body)).status, 200);
  assert.equal(sim.state.draftUsers()[0]?.name, 'Locked Out');
});

test('the editLockConflicts option locks the first writes of a fresh simulator', async () => {
  const locked = await startZiaSimulator({ rateLimits: false, editLockConflicts: 1, activationMs: 0 });
  try {
    const s = await ziaSession(locked.baseUrl);
    assert.equal((await s.post('/status/activate')).status, 409);
    const ok = await s.post('/status/activate');
    assert.deepEqual(await ok.json(), { status: 'ACTIVE' });
  } finally {
    await locked.close();
  }
});
