// End-to-end check of the Backendless dialect with the official, unmodified JS SDK (npm `backendless` 8.x).
// Env: BL_APP_ID, BL_API_KEY, BL_SERVER_URL (http://127.0.0.1:<port>/backendless), BL_SDK (path to the package).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)
const Backendless = require(process.env.BL_SDK || 'backendless')
const step = (name) => console.log(`ok - ${name}`)

Backendless.initApp({ appId: process.env.BL_APP_ID, apiKey: process.env.BL_API_KEY, serverURL: process.env.BL_SERVER_URL })
await Backendless.appInfoPromise()
step('initApp + app info')

const table = `Person${Date.now()}`
const people = Backendless.Data.of(table)
const bob = await people.save({ nick: 'Bob', age: 20 })
assert.ok(bob.objectId)
assert.equal(bob.___class, table)
bob.age = 21
const saved = await people.save(bob)
assert.equal(saved.age, 21)
assert.equal((await people.findById(bob.objectId)).age, 21)
await people.bulkCreate([{ nick: 'Bill', age: 35 }, { nick: 'Ann', age: 28 }])
const q = Backendless.DataQueryBuilder.create().setWhereClause("age > 20 and nick LIKE 'B%'").setSortBy(['age desc'])
const found = await people.find(q)
assert.deepEqual(found.map(p => p.nick), ['Bill', 'Bob'])
assert.equal(await people.getObjectCount("age >= 28"), 2)
await people.remove(bob)
assert.equal(await people.getObjectCount(), 2)
step('data CRUD, find with where, count')

const towns = Backendless.Data.of(`Town${Date.now()}`)
const kids = Backendless.Data.of(`Kid${Date.now()}`)
const oslo = await towns.save({ name: 'Oslo' })
const [k1, k2, k3] = await Promise.all([1, 2, 3].map(n => kids.save({ n })))
const ann = await people.save({ nick: 'Ann2', age: 30 })
assert.equal(await people.setRelation(ann, `home:${towns.className}:1`, [oslo]), 1)
assert.equal(await people.addRelation(ann, `kids:${kids.className}:n`, [k1, k2]), 2)
assert.equal(await people.addRelation(ann, 'kids', `n = 3`), 1)
const withRel = await people.findById(ann.objectId, Backendless.DataQueryBuilder.create().setRelated(['home', 'kids']))
assert.equal(withRel.home.name, 'Oslo')
assert.equal(withRel.home.___class, towns.className)
assert.deepEqual(withRel.kids.map(k => k.n), [1, 2, 3])
const plain = await people.findById(ann.objectId)
assert.equal(plain.home, undefined)
const page = await people.loadRelations(ann, Backendless.LoadRelationsQueryBuilder.create().setRelationName('kids')
  .setPageSize(2).setOffset(1))
assert.deepEqual(page.map(k => k.n), [2, 3])
assert.equal(await people.deleteRelation(ann, 'kids', [k1, k3.objectId]), 2)
const deep = await people.find(Backendless.DataQueryBuilder.create().setWhereClause("nick = 'Ann2'").setRelationsDepth(1))
assert.deepEqual(deep[0].kids.map(k => k.objectId), [k2.objectId])
assert.equal(deep[0].home.objectId, oslo.objectId)
const first = await people.findFirst(Backendless.DataQueryBuilder.create().setWhereClause("nick = 'Ann2'")
  .setRelated(['kids']).setRelationsPageSize(5))
assert.deepEqual(first.kids.map(k => k.n), [2])
await assert.rejects(people.findById(ann.objectId, Backendless.DataQueryBuilder.create().setRelated(['nosuch'])),
  e => e.code === 1017)
step('relations: set, add (ids and where), findById/find with relations, loadRelations paging, delete')

const email = `sdk${Date.now()}@example.test`
const reg = await Backendless.UserService.register({ email, password: 'pw-sdk', name: 'Sdk' })
assert.equal(reg.email, email)
const me = await Backendless.UserService.login(email, 'pw-sdk', true)
assert.ok(me['user-token'])
assert.equal(await Backendless.UserService.isValidLogin(), true)
const note = await Backendless.Data.of('Note').save({ text: 'mine' })
assert.equal(note.ownerId, me.objectId)
step('users register, login, user-token')

await Backendless.Cache.put('k', { a: [1, 2] }, 60)
assert.deepEqual(await Backendless.Cache.get('k'), { a: [1, 2] })
assert.equal(await Backendless.Cache.contains('k'), true)
await Backendless.Cache.remove('k')
assert.equal(await Backendless.Cache.contains('k'), false)
step('cache')

const name = `c${Date.now()}`
assert.equal(await Backendless.Counters.incrementAndGet(name), 1)
assert.equal(await Backendless.Counters.addAndGet(name, 5), 6)
assert.equal(await Backendless.Counters.getAndIncrement(name), 6)
assert.equal(await Backendless.Counters.compareAndSet(name, 7, 10), true)
assert.equal(await Backendless.Counters.get(name), 10)
await Backendless.Counters.reset(name)
assert.equal(await Backendless.Counters.get(name), 0)
step('counters')

const up = await Backendless.Files.saveFile('sdk/dir', 'hello.txt', 'hello from the sdk', true)
assert.ok(String(up).includes('/files/sdk/dir/hello.txt'))
const tmp = path.join(os.tmpdir(), `m${Date.now()}.txt`)
fs.writeFileSync(tmp, 'multipart bytes')
const up2 = await Backendless.Files.upload(fs.createReadStream(tmp), 'sdk/up/m.txt', true)
fs.unlinkSync(tmp)
assert.ok(up2.fileURL.endsWith('/files/sdk/up/m.txt'))
assert.equal(await Backendless.Files.exists('sdk/up/m.txt'), true)
step('files')

const pub = await Backendless.Messaging.publish('news', 'hi there')
assert.ok(pub.messageId)
step('messaging publish')

await Backendless.UserService.logout()
console.log('ALL OK')
