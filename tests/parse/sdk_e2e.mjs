// The official Parse JS SDK (node build), unmodified, against a live local server.
// Usage: node sdk_e2e.mjs <path to node_modules/parse> <serverURL> <appId> <jsKey> <masterKey>
// Prints one JSON line {ok, checks, failures}; exits 1 on any failure.
import { createRequire } from 'node:module';
import path from 'node:path';

const [sdkDir, serverURL, appId, jsKey, masterKey] = process.argv.slice(2);
const require = createRequire(path.join(sdkDir, 'package.json'));
const Parse = require(path.join(sdkDir, 'node.js'));
Parse.initialize(appId, jsKey, masterKey);
Parse.serverURL = serverURL;
Parse.User.enableUnsafeCurrentUser();

const checks = [];
const failures = [];
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
async function check(name, fn) {
  try {
    const r = await fn();
    if (r === false) throw new Error('check returned false');
    checks.push(name);
  } catch (e) {
    failures.push({ name, error: String(e && (e.stack || e.message || e)), code: e && e.code });
  }
}
const names = (rs) => rs.map((o) => o.get('name')).sort();
const Player = Parse.Object.extend('SdkPlayer');

// -- objects, all types, atomic operators --------------------------------------------------
let saved;
await check('save and fetch every type', async () => {
  const team = await new Parse.Object('SdkTeam').save({ city: 'Oslo' });
  const when = new Date('2026-01-02T03:04:05.678Z');
  const obj = new Player({
    name: 'ann', n: 1, ok: true, when, tags: ['x'], meta: { lvl: 9, deep: { a: 'b' } },
    team, location: new Parse.GeoPoint(59.9, 10.7),
    area: new Parse.Polygon([[0, 0], [0, 1], [1, 1]]),
  });
  saved = await obj.save();
  if (!saved.id || !saved.createdAt) throw new Error('no id');
  const got = await new Parse.Query(Player).get(saved.id);
  if (got.get('when').toISOString() !== when.toISOString()) throw new Error('date ' + got.get('when'));
  if (got.get('team').id !== team.id || got.get('team').className !== 'SdkTeam') throw new Error('pointer');
  if (!(got.get('location') instanceof Parse.GeoPoint) || got.get('location').latitude !== 59.9) throw new Error('geopoint');
  if (!(got.get('area') instanceof Parse.Polygon)) throw new Error('polygon');
  if (got.get('meta').deep.a !== 'b' || got.get('ok') !== true) throw new Error('object');
});
await check('atomic operators', async () => {
  saved.increment('n', 4);
  saved.addUnique('tags', 'y');
  saved.addUnique('tags', 'x');
  await saved.save();
  if (saved.get('n') !== 5 || !eq(saved.get('tags'), ['x', 'y'])) throw new Error(JSON.stringify(saved.toJSON()));
  saved.remove('tags', 'x');
  saved.decrement('n');
  await saved.save();
  saved.add('tags', 'z');
  saved.unset('ok');
  await saved.save();
  const got = await new Parse.Query(Player).get(saved.id);
  if (got.get('n') !== 4 || !eq(got.get('tags'), ['y', 'z']) || got.has('ok')) throw new Error(JSON.stringify(got.toJSON()));
});
await check('a field set to null reads back as null (Parse on Mongo; the SDK\'s has() is false for null)', async () => {
  const o = await new Parse.Object('SdkNulls').save({ a: 1, b: null });
  o.set('a', null);
  await o.save();
  const got = await new Parse.Query('SdkNulls').get(o.id);
  const json = got.toJSON();
  if (!('b' in json) || got.get('b') !== null || got.get('a') !== null) throw new Error(JSON.stringify(json));
});
await check('concurrent increments both land', async () => {
  const a = Player.createWithoutData(saved.id);
  const b = Player.createWithoutData(saved.id);
  a.increment('n', 10);
  b.increment('n', 100);
  await Promise.all([a.save(), b.save()]);
  const got = await new Parse.Query(Player).get(saved.id);
  if (got.get('n') !== 114) throw new Error('n=' + got.get('n'));
});

// -- queries: every constraint the SDK emits -------------------------------------------------
await check('saveAll (batch) then every query constraint', async () => {
  const more = [['bob', 2, ['x', 'y'], 60.39, 5.32], ['cy', 3, [], 41.9, 12.5], ['dan.x', 4, ['q'], 59.91, 10.75]]
    .map(([name, n, tags, lat, lon]) => new Player({ name, n, tags, location: new Parse.GeoPoint(lat, lon), meta: { lvl: n } }));
  await Parse.Object.saveAll(more);
  const q = () => new Parse.Query(Player);
  const cases = [
    [q().equalTo('name', 'bob'), ['bob']],
    [q().notEqualTo('name', 'bob'), ['ann', 'cy', 'dan.x']],
    [q().lessThan('n', 3), ['bob']],
    [q().lessThanOrEqualTo('n', 3), ['bob', 'cy']],
    [q().greaterThan('n', 3), ['ann', 'dan.x']],
    [q().greaterThanOrEqualTo('n', 4), ['ann', 'dan.x']],
    [q().containedIn('name', ['cy', 'bob', 'zz']), ['bob', 'cy']],
    [q().notContainedIn('name', ['cy', 'bob']), ['ann', 'dan.x']],
    [q().containsAll('tags', ['x', 'y']), ['bob']],
    [q().equalTo('tags', 'q'), ['dan.x']],
    [q().exists('team'), ['ann']],
    [q().doesNotExist('team'), ['bob', 'cy', 'dan.x']],
    [q().matches('name', '^B', 'i'), ['bob']],
    [q().startsWith('name', 'da'), ['dan.x']],
    [q().contains('name', 'n.x'), ['dan.x']],
    [q().endsWith('name', '.x'), ['dan.x']],
    [q().equalTo('meta.lvl', 3), ['cy']],
    [Parse.Query.or(q().equalTo('n', 2), q().equalTo('n', 3)), ['bob', 'cy']],
    [Parse.Query.and(q().greaterThan('n', 2), q().lessThan('n', 5)), ['cy', 'dan.x']],
    [Parse.Query.nor(q().equalTo('n', 2), q().equalTo('n', 3)), ['ann', 'dan.x']],
    [q().matchesQuery('team', new Parse.Query('SdkTeam').equalTo('city', 'Oslo')), ['ann']],
    [q().doesNotMatchQuery('team', new Parse.Query('SdkTeam').equalTo('city', 'Oslo')), ['bob', 'cy', 'dan.x']],
    [q().matchesKeyInQuery('name', 'name', new Parse.Query(Player).greaterThan('n', 3)), ['ann', 'dan.x']],
    [q().doesNotMatchKeyInQuery('name', 'name', new Parse.Query(Player).greaterThan('n', 3)), ['bob', 'cy']],
    [q().withinKilometers('location', new Parse.GeoPoint(59.9, 10.7), 50, false), ['ann', 'dan.x']],
    [q().withinGeoBox('location', new Parse.GeoPoint(59, 4), new Parse.GeoPoint(61, 6)), ['bob']],
    [q().withinPolygon('location', [new Parse.GeoPoint(58, 4), new Parse.GeoPoint(58, 12), new Parse.GeoPoint(62, 12),
      new Parse.GeoPoint(62, 4)]), ['ann', 'bob', 'dan.x']],
    [q().withinPolygon('location', [[4, 58], [14, 58], [9, 64]]), ['ann', 'dan.x']],
    [q().polygonContains('area', new Parse.GeoPoint(0.5, 0.8)), ['ann']],
    [q().polygonContains('area', new Parse.GeoPoint(0.8, 0.5)), []],
    [q().containedBy('tags', ['x', 'y', 'z']), ['ann', 'bob', 'cy']],
    [q().greaterThan('createdAt', new Date(Date.now() - 3600e3)), ['ann', 'bob', 'cy', 'dan.x']],
  ];
  for (const [query, want] of cases) {
    const got = names(await query.find());
    if (!eq(got, want)) throw new Error(JSON.stringify(query.toJSON()) + ' -> ' + JSON.stringify(got));
  }
  const near = await q().withinKilometers('location', new Parse.GeoPoint(59.9, 10.7), 1000, true).find();
  if (!eq(near.map((o) => o.get('name')), ['ann', 'dan.x', 'bob'])) throw new Error('near order ' + near.map((o) => o.get('name')));
  const nearest = await q().near('location', new Parse.GeoPoint(41, 12)).first();
  if (nearest.get('name') !== 'cy') throw new Error('near ' + nearest.get('name'));
  const page = await q().descending('n').skip(1).limit(2).find();
  if (!eq(page.map((o) => o.get('n')), [4, 3])) throw new Error('order/skip/limit ' + page.map((o) => o.get('n')));
  const asc = await q().ascending('name').find();
  if (!eq(asc.map((o) => o.get('name')), ['ann', 'bob', 'cy', 'dan.x'])) throw new Error('ascending');
  if ((await q().count()) !== 4) throw new Error('count');
  if ((await q().greaterThan('n', 2).count()) !== 3) throw new Error('count where');
  const sel = await q().select('name').equalTo('name', 'bob').first();
  if (sel.has('n') || sel.get('name') !== 'bob') throw new Error('select');
  const exc = await q().exclude('tags').equalTo('name', 'bob').first();
  if (exc.has('tags') || exc.get('n') !== 2) throw new Error('exclude');
  const inc = await q().include('team').equalTo('name', 'ann').first();
  if (inc.get('team').get('city') !== 'Oslo') throw new Error('include');
  const all = [];
  await q().each((o) => { all.push(o.get('name')); }, { batchSize: 2 });
  if (all.length !== 4) throw new Error('each ' + all);
  const bad = await q().withinPolygon('location', [new Parse.GeoPoint(1, 1), new Parse.GeoPoint(2, 2)]).find().catch((e) => e);
  if (bad.code !== Parse.Error.INVALID_JSON) throw new Error('2-point polygon: ' + bad);
  const dist = await q().distinct('n', { useMasterKey: true }).catch((e) => e);
  void dist; // aggregate routes are part B's; not asserted here
});

// -- users and sessions ------------------------------------------------------------------------
let alice;
await check('signUp, logIn, current, become, session, logOut', async () => {
  alice = await Parse.User.signUp('alice', 'pw-alice', { email: 'alice@example.com' });
  const token = alice.getSessionToken();
  if (!token.startsWith('r:')) throw new Error('token ' + token);
  await Parse.User.logOut();
  const u = await Parse.User.logIn('alice', 'pw-alice');
  if (u.id !== alice.id || Parse.User.current().id !== alice.id) throw new Error('login');
  const s = await Parse.Session.current();
  if (s.getSessionToken() !== u.getSessionToken()) throw new Error('session');
  const become = await Parse.User.become(u.getSessionToken());
  if (become.get('email') !== 'alice@example.com') throw new Error('become');
  const old = u.getSessionToken();
  await Parse.User.logOut();
  const err = await Parse.User.become(old).catch((e) => e);
  if (err.code !== Parse.Error.INVALID_SESSION_TOKEN) throw new Error('dead token ' + err.code);
  const bad = await Parse.User.logIn('alice', 'nope').catch((e) => e);
  if (bad.code !== Parse.Error.OBJECT_NOT_FOUND) throw new Error('bad login ' + bad.code);
  const dup = await Parse.User.signUp('alice', 'x').catch((e) => e);
  if (dup.code !== Parse.Error.USERNAME_TAKEN) throw new Error('dup ' + dup.code);
  alice = await Parse.User.logIn('alice', 'pw-alice');
});

// -- ACLs and roles --------------------------------------------------------------------------------
await check('ACLs and roles', async () => {
  const note = new Parse.Object('SdkNote', { t: 'private' });
  note.setACL(new Parse.ACL(alice));
  await note.save();
  const shared = new Parse.Object('SdkNote', { t: 'mods' });
  const acl = new Parse.ACL(alice);
  acl.setRoleReadAccess('Mods', true);
  shared.setACL(acl);
  await shared.save();
  await Parse.User.logOut();
  const bob = await Parse.User.signUp('bobby', 'pw-bob');
  const seen = await new Parse.Query('SdkNote').find();
  if (seen.length !== 0) throw new Error('bob sees ' + seen.length);
  const miss = await new Parse.Query('SdkNote').get(note.id).catch((e) => e);
  if (miss.code !== Parse.Error.OBJECT_NOT_FOUND) throw new Error('get ' + miss.code);
  const role = new Parse.Role('Mods', new Parse.ACL());
  role.getUsers().add(bob);
  await role.save(null, { useMasterKey: true });
  const now = await new Parse.Query('SdkNote').find();
  if (!eq(now.map((o) => o.get('t')), ['mods'])) throw new Error('role read ' + now.map((o) => o.get('t')));
  const members = await role.getUsers().query().find({ useMasterKey: true });
  if (!eq(members.map((u) => u.id), [bob.id])) throw new Error('relation query');
  const mine = await new Parse.Query('SdkNote').find({ useMasterKey: true });
  if (mine.length !== 2) throw new Error('master sees ' + mine.length);
  await Parse.User.logOut();
  alice = await Parse.User.logIn('alice', 'pw-alice');
});

// -- files ----------------------------------------------------------------------------------------
await check('files: base64 (body keys) and Buffer (X-Parse headers), attach, delete', async () => {
  const f1 = await new Parse.File('hello.txt', { base64: Buffer.from('hello').toString('base64') }, 'text/plain').save();
  const f2 = await new Parse.File('buf.bin', Buffer.from([1, 2, 3]), 'application/octet-stream').save();
  for (const f of [f1, f2]) {
    if (!f.url().startsWith(serverURL + '/files/' + appId + '/')) throw new Error('url ' + f.url());
  }
  const holder = await new Parse.Object('SdkDoc', { file: f1 }).save();
  const got = await new Parse.Query('SdkDoc').get(holder.id);
  if (got.get('file').name() !== f1.name() || got.get('file').url() !== f1.url()) throw new Error('file field');
  const r = await fetch(f1.url(), { redirect: 'manual' });
  if (r.status !== 302) throw new Error('download ' + r.status);
  await f2.destroy({ useMasterKey: true });
});

// -- cloud functions ----------------------------------------------------------------------------
await check('cloud functions hello and whoami', async () => {
  if ((await Parse.Cloud.run('hello', { name: 'Parse' })) !== 'Hello, Parse!') throw new Error('hello');
  const me = await Parse.Cloud.run('whoami');
  if (me.user !== alice.id || me.username !== 'alice') throw new Error('whoami ' + JSON.stringify(me));
  const err = await Parse.Cloud.run('nope').catch((e) => e);
  if (err.code !== Parse.Error.SCRIPT_FAILED) throw new Error('unknown fn ' + err.code);
});

// -- batch destroy, relation from the SDK ------------------------------------------------------------
await check('relations and destroyAll', async () => {
  const books = await Parse.Object.saveAll([new Parse.Object('SdkBook', { t: 'a' }), new Parse.Object('SdkBook', { t: 'b' })]);
  const shelf = new Parse.Object('SdkShelf');
  shelf.relation('books').add(books);
  await shelf.save();
  const inShelf = await shelf.relation('books').query().find();
  if (inShelf.length !== 2) throw new Error('relation ' + inShelf.length);
  shelf.relation('books').remove(books[0]);
  await shelf.save();
  if ((await shelf.relation('books').query().count()) !== 1) throw new Error('remove relation');
  await Parse.Object.destroyAll(books);
  if ((await new Parse.Query('SdkBook').count()) !== 0) throw new Error('destroyAll');
});

// -- the header style over the same socket (REST guide / iOS / Android SDKs / Dashboard API console) --
await check('header style: X-Parse-* headers, JSON query string, CORS preflight', async () => {
  const h = { 'X-Parse-Application-Id': appId, 'X-Parse-REST-API-Key': jsKey, 'Content-Type': 'application/json' };
  const pre = await fetch(serverURL + '/classes/SdkRest?where=%7B%7D', { method: 'OPTIONS', headers: {
    Origin: 'http://localhost:4040', 'Access-Control-Request-Method': 'GET',
    'Access-Control-Request-Headers': 'x-parse-application-id,x-parse-master-key' } });
  if (pre.status !== 200 || pre.headers.get('access-control-allow-origin') !== '*') throw new Error('preflight');
  const made = await fetch(serverURL + '/classes/SdkRest', { method: 'POST', headers: h, body: JSON.stringify({ n: 41 }) });
  const { objectId } = await made.json();
  if (made.status !== 201 || !made.headers.get('location').endsWith('/classes/SdkRest/' + objectId)) throw new Error('create');
  const put = await fetch(serverURL + '/classes/SdkRest/' + objectId, { method: 'PUT', headers: h,
    body: JSON.stringify({ n: { __op: 'Increment', amount: 1 } }) });
  if ((await put.json()).n !== 42) throw new Error('increment');
  const q = await fetch(serverURL + '/classes/SdkRest?where=' + encodeURIComponent('{"n":{"$gte":42}}') + '&count=1&limit=1', { headers: h });
  const body = await q.json();
  if (body.count !== 1 || body.results[0].objectId !== objectId) throw new Error(JSON.stringify(body));
  const viaSdk = await new Parse.Query('SdkRest').get(objectId);
  if (viaSdk.get('n') !== 42) throw new Error('sdk read');
  const bad = await fetch(serverURL + '/classes/SdkRest', { headers: { ...h, 'X-Parse-REST-API-Key': 'nope' } });
  if (bad.status !== 403 || (await bad.json()).error !== 'unauthorized') throw new Error('bad key');
});

console.log(JSON.stringify({ ok: failures.length === 0, checks, failures }));
process.exit(failures.length === 0 ? 0 : 1);
