// A real Bluesky Personal Data Server (and its PLC directory) for Rapport's tests, started from
// npm's @atproto/dev-env (TestNetworkNoAppView). Run it through `scripts/atproto-pds start`.
//
//   scripts/atproto-pds start [--account NAME]... [--post-every SECONDS] [--forever]
//
// Each --account NAME creates the account NAME.test with a password and an app password.
// --post-every SECONDS makes the second account post a customer complaint mentioning the
// first one every SECONDS (for `rapport demo --live-pds`); --forever keeps the network up when
// standard input closes (stop it with SIGINT or SIGTERM).
// When the network is up, one JSON line goes to standard output:
//   {"ready":true,"pds":"http://localhost:P","plc":"http://localhost:Q",
//    "accounts":{"NAME":{"did":...,"handle":"NAME.test","password":...,"app_password":...}}}
// Then it reads commands from standard input, one JSON object a line, and answers each with
// one JSON line ({"ok":true,...} or {"ok":false,"error":"..."}), echoing the command's "id":
//   {"op":"account","name":"NAME"}                        -> {"ok":true,"account":{...}}
//   {"op":"post","as":"NAME","text":"...","reply_to":URI} -> {"ok":true,"uri":...,"cid":...}
//        mentions (@handle) and links in the text become facets, as the Bluesky app makes them;
//        reply_to (optional) is the URI of the post answered, the thread root is worked out
//   {"op":"delete","as":"NAME","uri":URI}                  -> {"ok":true}
//   {"op":"like","as":"NAME","uri":URI}                    -> {"ok":true,"uri":...}
//   {"op":"handle","as":"NAME","handle":"NEW.test"}        -> {"ok":true} (an #identity event)
//   {"op":"delete_account","as":"NAME"}                    -> {"ok":true} (an #account event,
//        status deleted; the PDS's admin deletes it, and drops its earlier events from the
//        sequence as a PDS does)
//   {"op":"list","as":"NAME","collection":C,"repo":DID}    -> {"ok":true,"records":[...]}
//        (repo defaults to NAME's own; collection defaults to app.bsky.feed.post)
//   {"op":"quit"}                                          -> shuts down
// It also shuts down when standard input closes, so a test that dies leaves no server behind.
// Protocol lines are the only thing written to standard output; logs go to standard error.
'use strict'

const readline = require('node:readline')

const protocolOut = process.stdout.write.bind(process.stdout)
// Anything the libraries print goes to standard error: standard output is the protocol.
console.log = (...args) => console.error(...args)
console.info = (...args) => console.error(...args)
process.stdout.write = (chunk, ...rest) => process.stderr.write(chunk, ...rest)

function send(obj) {
  protocolOut(JSON.stringify(obj) + '\n')
}

function parseArgs(argv) {
  const accounts = []
  let postEvery = 0
  let forever = false
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--account' && i + 1 < argv.length) {
      accounts.push(argv[++i])
    } else if (argv[i] === '--post-every' && i + 1 < argv.length) {
      postEvery = Number(argv[++i])
      if (!(postEvery > 0)) throw new Error('--post-every takes a number of seconds above 0')
    } else if (argv[i] === '--forever') {
      forever = true
    } else {
      throw new Error(
        `unknown argument '${argv[i]}' (expected --account NAME, --post-every SECONDS, --forever)`,
      )
    }
  }
  if (postEvery && accounts.length < 2) throw new Error('--post-every needs two accounts')
  return { accounts, postEvery, forever }
}

// What the demo customer says, in turn (written for the demo, marked as such by the handle).
const COMPLAINTS = [
  'my order arrived broken and nobody answers, I want a refund',
  'I was charged twice this month, please fix it',
  'the app keeps logging me out since the last update',
  'third day waiting for an answer about my delivery',
  'thanks, the replacement arrived and works great',
]

async function main() {
  const { accounts: names, postEvery, forever } = parseArgs(process.argv.slice(2))
  const { TestNetworkNoAppView } = require('@atproto/dev-env')
  const { RichText } = require('@atproto/api')

  const net = await TestNetworkNoAppView.create({})
  const accounts = new Map() // name -> { agent, info }

  let shuttingDown = false
  async function shutdown(code) {
    if (shuttingDown) return
    shuttingDown = true
    try {
      await net.close()
    } catch (e) {
      console.error(`closing the network: ${e}`)
    }
    process.exit(code)
  }
  process.on('SIGTERM', () => shutdown(0))
  process.on('SIGINT', () => shutdown(0))

  async function createAccount(name) {
    if (!/^[a-z0-9][a-z0-9-]{2,17}$/.test(name)) {
      throw new Error(`account name '${name}' must be 3 to 18 of a-z, 0-9 and -`)
    }
    if (accounts.has(name)) throw new Error(`account '${name}' exists`)
    const agent = net.pds.getClient()
    const handle = `${name}.test`
    const password = `${name}-password`
    await agent.createAccount({ email: `${name}@example.test`, handle, password })
    const appPassword = await agent.com.atproto.server.createAppPassword({ name: 'rapport' })
    const info = {
      did: agent.session.did,
      handle,
      password,
      app_password: appPassword.data.password,
    }
    accounts.set(name, { agent, info })
    return info
  }

  function account(name) {
    const a = accounts.get(name)
    if (!a) throw new Error(`no account '${name}'`)
    return a
  }

  // The strong refs of the post answered and of its thread's root.
  async function replyRefs(agent, uri) {
    const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri)
    if (!m) throw new Error(`'${uri}' is not an at:// record URI`)
    const got = await agent.com.atproto.repo.getRecord({ repo: m[1], collection: m[2], rkey: m[3] })
    const parent = { uri: got.data.uri, cid: got.data.cid }
    const root = (got.data.value && got.data.value.reply && got.data.value.reply.root) || parent
    return { root, parent }
  }

  const ops = {
    async account(cmd) {
      return { account: await createAccount(cmd.name) }
    },
    async post(cmd) {
      const { agent } = account(cmd.as)
      const rt = new RichText({ text: String(cmd.text) })
      await rt.detectFacets(agent)
      const record = { text: rt.text, facets: rt.facets, createdAt: new Date().toISOString() }
      if (cmd.reply_to) record.reply = await replyRefs(agent, cmd.reply_to)
      if (cmd.langs) record.langs = cmd.langs
      const res = await agent.post(record)
      return { uri: res.uri, cid: res.cid }
    },
    async delete(cmd) {
      await account(cmd.as).agent.deletePost(cmd.uri)
      return {}
    },
    async like(cmd) {
      const { agent } = account(cmd.as)
      const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(cmd.uri)
      if (!m) throw new Error(`'${cmd.uri}' is not an at:// record URI`)
      const got = await agent.com.atproto.repo.getRecord({ repo: m[1], collection: m[2], rkey: m[3] })
      const res = await agent.like(got.data.uri, got.data.cid)
      return { uri: res.uri }
    },
    async handle(cmd) {
      const a = account(cmd.as)
      await a.agent.com.atproto.identity.updateHandle({ handle: cmd.handle })
      a.info.handle = cmd.handle
      return {}
    },
    async delete_account(cmd) {
      const { info } = account(cmd.as)
      await net.pds.getClient().com.atproto.admin.deleteAccount(
        { did: info.did },
        { encoding: 'application/json', headers: net.pds.adminAuthHeaders() },
      )
      accounts.delete(cmd.as)
      return {}
    },
    async list(cmd) {
      const { agent, info } = account(cmd.as)
      const res = await agent.com.atproto.repo.listRecords({
        repo: cmd.repo || info.did,
        collection: cmd.collection || 'app.bsky.feed.post',
        limit: 100,
      })
      return { records: res.data.records }
    },
    async quit() {
      setImmediate(() => shutdown(0))
      return {}
    },
  }

  for (const name of names) await createAccount(name)
  send({
    ready: true,
    pds: net.pds.url,
    plc: net.plc.url,
    accounts: Object.fromEntries([...accounts].map(([n, a]) => [n, a.info])),
  })

  if (postEvery) {
    const [brand, customer] = names
    let n = 0
    setInterval(() => {
      const text = `@${brand}.test ${COMPLAINTS[n++ % COMPLAINTS.length]}`
      ops.post({ as: customer, text }).catch((e) => console.error(`demo post: ${e}`))
    }, postEvery * 1000)
  }

  // One command at a time, in order: a test's posts reach the repository in the order sent.
  const lines = readline.createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  lines.on('line', (line) => {
    if (!line.trim()) return
    queue = queue.then(async () => {
      let cmd
      try {
        cmd = JSON.parse(line)
      } catch (e) {
        send({ ok: false, error: `not JSON: ${e.message}` })
        return
      }
      const op = ops[cmd.op]
      if (!op) {
        send({ id: cmd.id, ok: false, error: `unknown op '${cmd.op}'` })
        return
      }
      try {
        send({ id: cmd.id, ok: true, ...(await op(cmd)) })
      } catch (e) {
        send({ id: cmd.id, ok: false, error: String((e && e.message) || e) })
      }
    })
  })
  lines.on('close', () => {
    if (!forever) queue.then(() => shutdown(0))
  })
}

main().catch((e) => {
  console.error(`atproto-pds: ${(e && e.stack) || e}`)
  send({ ready: false, error: String((e && e.message) || e) })
  process.exit(1)
})
