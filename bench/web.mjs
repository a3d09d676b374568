#!/usr/bin/env node
// Benchmark of the web view (not a test): how long a network's graph takes
// to draw in headless Chromium, and what the JSON API costs against the
// Thrift API on the same snapshot.
//
// usage: node bench/web.mjs --binary build/release/sourcetrace --node-modules build/release/web/node_modules
//                           --work /tmp/sourcetrace-web-bench [--python-dir BUILD/python] [--sellers 60000]
//                           [--rings 30] [--seed 7] [--loads 3] [--calls 2000] [--clients 8]
//
// Generates a market whose rings are large (entities_lognormal ring sizes,
// median 300 entities, up to 1,400) and runs the batch job with a lower
// detection density (jobs/default.toml's, density 0.00001) so that whole
// rings stay one network: it then has networks of about 50, 300 and 1,000
// members. The market and the run are kept in WORK and reused when the
// options are the same. Serves the run (`serve --http 0`) and:
//
// - graph: for each size, the network listed (min_risk 0) with the member
//   count closest to it, loaded --loads times in a fresh page
//   (page.goto /network/ID); each load's ms from navigation start to
//   window.__graphReady (the page sets it once the layout has stopped and
//   the next frame is drawn), and their median. Goal: <= 2000 ms at 1,000.
// - api: --calls GET /api/network?id=X (X: the ~300-member network) from
//   --clients keep-alive connections (Node's http module, the body read and
//   parsed), against the same number of Thrift network(X) calls from
//   --clients processes, one framed connection each (/usr/bin/python3,
//   python3-thrift with its C accelerator, the client generated in
//   BUILD/python); calls per second and the ratio http/thrift. Goal: >= 0.5.
//   Each side first makes one call per client, untimed (connections open).
//   Beside each: the CPU seconds its clients and the server used (on a
//   small machine the clients share the cores with the server).
//
// Prints one JSON document on stdout (progress on stderr). The server and
// the browser are stopped on every exit path.
import {spawn, spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const kRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const kChromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const kSizes = [50, 300, 1000];
const kGoalGraphMs = 2000;
const kGoalRatio = 0.5;
const kProfile = `# bench/web.mjs: rings large enough for networks of ~1,000 members
[rings]
ring_sizes = "entities_lognormal"
ring_entities_max = 1400
ring_size_median = 300
ring_size_spread = 1.5
`;
const kDensity = '0.00001';

function parseArgs(argv) {
  const a = {binary: '', 'node-modules': '', work: '', 'python-dir': '', sellers: 60000, rings: 30, seed: 7,
    loads: 3, calls: 2000, clients: 8};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in a) || argv[i + 1] === undefined) {
      console.error(`usage: bench/web.mjs --binary B --node-modules NM --work W [--python-dir P] [--sellers N] ` +
        `[--rings R] [--seed S] [--loads L] [--calls C] [--clients K] (bad: ${argv[i]})`);
      process.exit(64);
    }
    a[key] = typeof a[key] === 'number' ? Number(argv[i + 1]) : path.resolve(argv[i + 1]);
  }
  for (const key of ['binary', 'node-modules', 'work']) {
    if (!a[key]) { console.error(`bench/web.mjs: --${key} is required`); process.exit(64); }
  }
  if (!a['python-dir']) a['python-dir'] = path.join(path.dirname(a.binary), 'python');
  return a;
}

const args = parseArgs(process.argv.slice(2));
let server = null;
let browser = null;

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function stop() {
  if (browser) { const b = browser; browser = null; await b.close().catch(() => {}); }
  if (server && server.exitCode === null && server.signalCode === null) {
    const s = server;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    if (!await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15000))])) s.kill('SIGKILL');
  }
  server = null;
}

async function die(message) {
  log(`FAILED: ${message}`);
  await stop();
  process.exit(1);
}

process.on('SIGINT', () => die('interrupted'));
process.on('SIGTERM', () => die('terminated'));
process.on('exit', () => { if (server && server.exitCode === null) server.kill('SIGKILL'); });

function sourcetrace(...a) {
  const t0 = Date.now();
  const p = spawnSync(args.binary, a, {encoding: 'utf8', maxBuffer: 64 << 20});
  if (p.error || p.status !== 0) throw new Error(`sourcetrace ${a.join(' ')}: ${p.error ? p.error.message : (p.stderr || '').trim()}`);
  log(`sourcetrace ${a[0]} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return p.stdout.trim();
}

// CPU seconds the server has used so far (user + system, /proc/PID/stat).
function serverCpu() {
  try {
    const fields = fs.readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;  // utime, stime in clock ticks (USER_HZ 100)
  } catch (e) {
    return NaN;
  }
}

function median(values) {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// The market and the run, reused when the options that make them are the same.
function prepare() {
  fs.mkdirSync(args.work, {recursive: true});
  const market = path.join(args.work, 'market');
  const run = path.join(args.work, 'run');
  const runs = path.join(args.work, 'runs');
  const tokens = path.join(args.work, 'tokens');
  const job = path.join(args.work, 'job.toml');
  const profile = path.join(args.work, 'profile.toml');
  const defaults = fs.readFileSync(path.join(kRoot, 'jobs', 'default.toml'), 'utf8');
  const jobText = defaults.replace(/^density = [0-9.e-]+/m, `density = ${kDensity}`);
  if (jobText === defaults) throw new Error('jobs/default.toml has no density line to lower');
  const stamp = JSON.stringify({sellers: args.sellers, rings: args.rings, seed: args.seed, kProfile, jobText,
    binary: fs.statSync(args.binary).mtimeMs});
  const stampFile = path.join(args.work, 'stamp.json');
  const same = fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && fs.existsSync(path.join(run, 'manifest.json'));
  if (!same) {
    for (const d of [market, run, runs]) fs.rmSync(d, {recursive: true, force: true});
    fs.writeFileSync(profile, kProfile);
    fs.writeFileSync(job, jobText);
    sourcetrace('generate', market, '--sellers', String(args.sellers), '--rings', String(args.rings),
      '--seed', String(args.seed), '--profile', profile);
    sourcetrace('run', market, '--out', run, '--job', job);
    sourcetrace('publish', run, '--to', runs);
    fs.writeFileSync(stampFile, stamp);
  } else {
    log('market and run reused from an earlier bench with the same options');
  }
  fs.rmSync(tokens, {force: true});
  const token = sourcetrace('token', 'add', tokens, '--id', 'bench', '--role', 'investigator');
  return {runs, tokens, token};
}

function startServer(runs, tokens) {
  return new Promise((resolve, reject) => {
    server = spawn(args.binary, ['serve', runs, '--port', '0', '--tokens', tokens, '--http', '0',
      '--audit', path.join(args.work, 'audit.jsonl'), '--journal', path.join(args.work, 'feedback.jsonl')],
    {stdio: ['ignore', 'ignore', 'pipe']});
    let text = '';
    const timer = setTimeout(() => reject(new Error(`serve named no ports within 120 s: ${text}`)), 120000);
    server.stderr.on('data', (chunk) => {
      text += chunk.toString();
      const web = /serve: web view at http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      const thrift = /serve: listening on 127\.0\.0\.1:(\d+),/.exec(text);
      if (web && thrift) { clearTimeout(timer); resolve({web: Number(web[1]), thrift: Number(thrift[1])}); }
    });
    server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${text}`)); });
  });
}

// One HTTP request on `agent`; resolves {status, body (parsed)}.
function request(agent, port, method, pathAndQuery, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({host: '127.0.0.1', port, method, path: pathAndQuery, agent, headers}, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        try { parsed = JSON.parse(text); } catch (e) { parsed = null; }
        resolve({status: res.statusCode, headers: res.headers, body: parsed});
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.end(body); else req.end();
  });
}

async function signIn(port, token) {
  const agent = new http.Agent({keepAlive: false});
  const body = JSON.stringify({token});
  const r = await request(agent, port, 'POST', '/api/session',
    {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)}, body);
  if (r.status !== 200) throw new Error(`POST /api/session answered ${r.status}`);
  const cookie = [].concat(r.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('st_session='));
  if (!cookie) throw new Error('no st_session cookie');
  return cookie;
}

async function listNetworks(port, cookie) {
  const agent = new http.Agent({keepAlive: true, maxSockets: 1});
  const all = [];
  for (let offset = 0; ; offset += 1000) {
    const r = await request(agent, port, 'GET', `/api/networks?min_risk=0&offset=${offset}&limit=1000`, {Cookie: cookie});
    if (r.status !== 200) throw new Error(`GET /api/networks answered ${r.status}: ${JSON.stringify(r.body)}`);
    all.push(...r.body.networks);
    if (!r.body.networks.length || all.length >= Number(r.body.total)) break;
  }
  agent.destroy();
  return all;
}

async function httpCalls(port, cookie, network) {
  const agent = new http.Agent({keepAlive: true, maxSockets: args.clients});
  const target = `/api/network?id=${encodeURIComponent(network)}`;
  let errors = 0;
  const one = async () => {
    const r = await request(agent, port, 'GET', target, {Cookie: cookie});
    if (r.status !== 200 || !r.body || !r.body.summary) errors += 1;
  };
  await Promise.all(Array.from({length: args.clients}, one));  // connections open, untimed
  errors = 0;
  let left = args.calls;
  const cpu0 = process.cpuUsage();
  const server0 = serverCpu();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({length: args.clients}, async () => {
    while (left > 0) { left -= 1; await one(); }
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const serverSeconds = serverCpu() - server0;
  agent.destroy();
  return {calls: args.calls, clients: args.clients, seconds: +seconds.toFixed(3), per_s: +(args.calls / seconds).toFixed(1), errors,
    client_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3), server_cpu_s: +serverSeconds.toFixed(3)};
}

const kThriftClient = `
import json, multiprocessing, os, sys, time
port, token, network, calls, clients, python_dir = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
sys.path.insert(0, python_dir)
from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport
from sourcetrace_service import Investigator

def worker(job):
    n, start = job
    transport = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", int(port)))
    try:
        protocol = TBinaryProtocol.TBinaryProtocolAccelerated(transport)
    except Exception:
        protocol = TBinaryProtocol.TBinaryProtocol(transport)
    client = Investigator.Client(protocol)
    transport.open()
    client.network(token, network)  # the connection open, untimed
    start.wait()
    errors = 0
    c0 = sum(os.times()[:2])
    t0 = time.monotonic()
    for _ in range(n):
        try:
            d = client.network(token, network)
            if not d.members:
                errors += 1
        except Exception:
            errors += 1
    t1 = time.monotonic()
    c1 = sum(os.times()[:2])
    transport.close()
    return t0, t1, errors, c1 - c0

if __name__ == "__main__":
    manager = multiprocessing.Manager()
    start = manager.Event()
    share = [calls // clients + (1 if i < calls % clients else 0) for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        pending = pool.map_async(worker, [(n, start) for n in share])
        time.sleep(1.0)
        start.set()
        results = pending.get(600)
    t0 = min(r[0] for r in results)
    t1 = max(r[1] for r in results)
    seconds = t1 - t0
    print(json.dumps({"calls": calls, "clients": clients, "seconds": round(seconds, 3),
                      "per_s": round(calls / seconds, 1), "errors": sum(r[2] for r in results),
                      "client_cpu_s": round(sum(r[3] for r in results), 3)}))
`;

function thriftCalls(port, token, network) {
  const server0 = serverCpu();
  const script = path.join(args.work, 'thrift_calls.py');
  fs.writeFileSync(script, kThriftClient);
  const p = spawnSync('/usr/bin/python3', [script, String(port), token, network, String(args.calls),
    String(args.clients), args['python-dir']], {encoding: 'utf8', timeout: 900000});
  if (p.error || p.status !== 0) throw new Error(`the Thrift client failed: ${p.error ? p.error.message : p.stderr}`);
  // The server's CPU over the whole client run (its untimed first calls included).
  return {...JSON.parse(p.stdout.trim().split('\n').pop()), server_cpu_s_whole_run: +(serverCpu() - server0).toFixed(3)};
}

async function graphLoads(base, token, chosen) {
  const nm = args['node-modules'];
  const {chromium} = createRequire(path.join(nm, 'noop.js'))(path.join(nm, 'playwright-core'));
  try {
    browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: kChromiumArgs, timeout: 60000});
  } catch (e) {
    throw new Error(`chromium could not start: ${e.message.split('\n')[0]}`);
  }
  const context = await browser.newContext({viewport: {width: 1440, height: 960}});
  const r = await context.request.post(`${base}/api/session`, {data: {token}});
  if (r.status() !== 200) throw new Error(`sign-in from the browser answered ${r.status()}`);
  const out = [];
  for (const {size, network} of chosen) {
    const loads = [];
    for (let i = 0; i < args.loads; i += 1) {
      const page = await context.newPage();
      await page.goto(`${base}/network/${network.network}`);
      await page.waitForFunction(() => window.__graphReady, null, {timeout: 120000});
      const ready = await page.evaluate(() => window.__graphReady);
      await page.close();
      if (ready.nodes !== network.members) log(`network ${network.network}: ${ready.nodes} nodes drawn of ${network.members} members`);
      loads.push(ready);
    }
    const ms = loads.map((l) => Math.round(l.ms));
    const m = median(ms);
    const mid = loads[ms.indexOf(m)] || loads[0];
    out.push({size, network: network.network, members: network.members, nodes: loads[0].nodes, edges: loads[0].edges,
      loads_ms: ms, median_ms: m,
      phases_ms_of_median: mid.phases ? Object.fromEntries(Object.entries(mid.phases).map(([k, v]) => [k, Math.round(v)])) : null});
    log(`graph of ${network.members} members (${network.network}): ${ms.join(', ')} ms`);
  }
  await browser.close();
  browser = null;
  return out;
}

async function main() {
  const {runs, tokens, token} = prepare();
  const ports = await startServer(runs, tokens);
  const base = `http://127.0.0.1:${ports.web}`;
  log(`serving: web ${ports.web}, thrift ${ports.thrift}`);
  const cookie = await signIn(ports.web, token);
  const networks = await listNetworks(ports.web, cookie);
  const chosen = [];
  for (const size of kSizes) {
    const free = networks.filter((n) => !chosen.some((c) => c.network.network === n.network));
    const best = free.reduce((a, b) => (Math.abs(b.members - size) < Math.abs(a.members - size) ? b : a));
    chosen.push({size, network: best});
  }
  log(`networks: ${chosen.map((c) => `${c.network.members} (${c.network.network})`).join(', ')} of ${networks.length}`);
  const graph = await graphLoads(base, token, chosen);
  const api = chosen.find((c) => c.size === 300).network;
  const httpResult = await httpCalls(ports.web, cookie, api.network);
  log(`http: ${httpResult.per_s} calls/s`);
  const thriftResult = thriftCalls(ports.thrift, token, api.network);
  log(`thrift: ${thriftResult.per_s} calls/s`);
  await stop();
  const large = graph.find((g) => g.size === 1000);
  const ratio = httpResult.per_s / thriftResult.per_s;
  // The server's own cost per call, whatever the clients cost.
  const httpServerMs = (1000 * httpResult.server_cpu_s) / httpResult.calls;
  const thriftServerMs = (1000 * thriftResult.server_cpu_s_whole_run) / (thriftResult.calls + thriftResult.clients);
  const report = {
    bench: 'web',
    machine: {cores: os.cpus().length, loadavg: os.loadavg().map((x) => +x.toFixed(2))},
    market: {sellers: args.sellers, rings: args.rings, seed: args.seed, networks: networks.length, density: Number(kDensity)},
    graph,
    api: {network: api.network, members: api.members, http: httpResult, thrift: thriftResult,
      ratio_http_thrift: +ratio.toFixed(3),
      server_cpu_ms_per_call: {http: +httpServerMs.toFixed(3), thrift: +thriftServerMs.toFixed(3)},
      limits: 'clients and server share the machine: when client_cpu_s is near seconds x cores, the clients bound the rate'},
    goals: {
      graph_1000_members_ms: {goal: `<= ${kGoalGraphMs}`, value: large.median_ms, members: large.members,
        met: large.median_ms <= kGoalGraphMs},
      ratio_http_thrift: {goal: `>= ${kGoalRatio}`, value: +ratio.toFixed(3), met: ratio >= kGoalRatio},
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
