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
