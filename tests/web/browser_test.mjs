#!/usr/bin/env node
// The web view end to end (docs/web.md): the real binary generates a
// market, runs the batch job, publishes it and serves it with --http; a
// headless Chromium (Debian's, driven by playwright-core) signs in, lists
// the networks, opens the top one as a graph, clicks a target, draws a
// path, and checks the session cookie, that no URL holds a token, that a
// brand sees the one not-found page for a network it may not see and for
// one that does not exist, that a revoked token's session ends at its next
// page, and that sign-out works. One line per check, a summary, exit 1 on
// any failure. Screenshots of each step go to WORK/screenshots.
//
// usage: node tests/web/browser_test.mjs --binary PATH_TO_sourcetrace --node-modules NM
//                                        --work WORKDIR --root SOURCE_ROOT
import {spawn, spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const kChromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const kWaitMs = 30000;        // one page's wait
const kWatchdogMs = 600000;   // the whole test

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['binary', 'node-modules', 'work', 'root'].includes(key) || argv[i + 1] === undefined) {
      console.error(`usage: browser_test.mjs --binary B --node-modules NM --work W --root R (bad: ${argv[i]})`);
      process.exit(64);
    }
    args[key] = path.resolve(argv[i + 1]);
  }
  for (const key of ['binary', 'node-modules', 'work', 'root']) {
    if (!args[key]) { console.error(`browser_test.mjs: --${key} is required`); process.exit(64); }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
// Fail, and say why, where the browser test cannot run: never pass without a browser.
if (process.env.SOURCETRACE_HAS_PAGES === '0') {
  console.error('browser_test.mjs: FAILED: the binary was built without its web pages (node, npm or the npm ' +
                'registry were missing when CMake configured); install them and reconfigure');
  process.exit(1);
}
if (!fs.existsSync(path.join(args['node-modules'], 'playwright-core'))) {
  console.error(`browser_test.mjs: FAILED: no playwright-core in ${args['node-modules']} (npm ci did not run)`);
  process.exit(1);
}
const work = args.work;
const shots = path.join(work, 'screenshots');
let server = null;
let browser = null;
let finished = false;
const results = [];

function log(line) { process.stdout.write(`${line}\n`); }

function pass(name, detail = '') {
  results.push({name, ok: true});
  log(`ok   ${name}${detail ? ` (${detail})` : ''}`);
}

function failCheck(name, reason) {
  results.push({name, ok: false, reason});
  log(`FAIL ${name}: ${reason}`);
}

// A check: fn returns a detail string (or nothing) or throws the reason.
async function check(name, fn) {
  try {
    const detail = await fn();
    pass(name, detail || '');
    return true;
  } catch (e) {
    failCheck(name, e && e.message ? e.message.split('\n')[0] : String(e));
    return false;
  }
}

function expect(condition, reason) {
  if (!condition) throw new Error(reason);
}

async function cleanup() {
  if (browser) {
    const b = browser;
    browser = null;
    await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 10000))]);
  }
  if (server && server.exitCode === null && server.signalCode === null) {
    const s = server;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    const ok = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15000))]);
    if (!ok) s.kill('SIGKILL');
  }
  server = null;
}

async function finish(fatal) {
  if (finished) return;
  finished = true;
  if (fatal) failCheck('fatal', fatal);
  await cleanup();
  const failed = results.filter((r) => !r.ok);
  log(`browser test: ${results.length - failed.length} of ${results.length} checks passed` +
    (failed.length ? `; failed: ${failed.map((r) => r.name).join(', ')}` : '') + `; screenshots in ${shots}`);
  process.exit(failed.length ? 1 : 0);
}

process.on('SIGINT', () => finish('interrupted (SIGINT)'));
process.on('SIGTERM', () => finish('interrupted (SIGTERM)'));
process.on('exit', () => { if (server && server.exitCode === null) server.kill('SIGKILL'); });
process.on('unhandledRejection', (e) => finish(`unhandled: ${e && e.stack ? e.stack : e}`));
setTimeout(() => finish(`the test ran past ${kWatchdogMs / 1000} s`), kWatchdogMs).unref();

function sourcetrace(...a) {
  const p = spawnSync(args.binary, a, {encoding: 'utf8', maxBuffer: 64 << 20});
  if (p.error) throw new Error(`sourcetrace ${a[0]}: ${p.error.message}`);
  if (p.status !== 0) throw new Error(`sourcetrace ${a.join(' ')} exited ${p.status}: ${(p.stderr || '').trim()}`);
  return p.stdout.trim();
}

// Starts `sourcetrace serve … --http 0`; resolves with both ports once its
// stderr has named them.
function startServer(runs, tokens) {
  return new Promise((resolve, reject) => {
    const errFile = fs.createWriteStream(path.join(work, 'serve.err'));
    server = spawn(args.binary, ['serve', runs, '--port', '0', '--tokens', tokens, '--http', '0'],
      {stdio: ['ignore', 'ignore', 'pipe']});
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no web port on serve's stderr within 60 s: ${text.trim()}`)), 60000);
    server.stderr.on('data', (chunk) => {
      errFile.write(chunk);
      text += chunk.toString();
      const web = /serve: web view at http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      const thrift = /serve: listening on 127\.0\.0\.1:(\d+),/.exec(text);
      if (web) { clearTimeout(timer); resolve({web: Number(web[1]), thrift: thrift ? Number(thrift[1]) : 0}); }
    });
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before it served: ${text.trim()}`));
    });
  });
}

async function shot(page, name) {
  try {
    await page.screenshot({path: path.join(shots, `${name}.png`), fullPage: false});
  } catch (e) {
    log(`     (screenshot ${name} failed: ${e.message.split('\n')[0]})`);
  }
}

async function apiGet(context, base, what, params) {
  const q = new URLSearchParams(params).toString();
  const r = await context.request.get(`${base}/api/${what}${q ? `?${q}` : ''}`);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  return {status: r.status(), body};
}

// Signs in through the form on whatever page is open; waits for the form to go.
async function signIn(page, secret) {
  await page.getByTestId('sign-in').waitFor({timeout: kWaitMs});
  await page.getByTestId('token').fill(secret);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('who').waitFor({timeout: kWaitMs});
}

// The entities of a NetworkGraph reachable from `from` within `hops`, by distance.
function bfs(graph, fromIndex, hops) {
  const adjacent = graph.nodes.map(() => []);
  for (const e of graph.edges) { adjacent[e.tail].push(e.head); adjacent[e.head].push(e.tail); }
  const distance = new Map([[fromIndex, 0]]);
  let frontier = [fromIndex];
  for (let d = 1; d <= hops && frontier.length; d += 1) {
    const next = [];
    for (const v of frontier) {
      for (const w of adjacent[v]) if (!distance.has(w)) { distance.set(w, d); next.push(w); }
    }
    frontier = next;
  }
  return distance;
}

// Clicks the graph's node `key` where it is drawn (zoomed in on it first).
async function clickNode(page, key) {
  const at = await page.evaluate((k) => {
    const cy = window.__cy;
    const node = cy.getElementById(k);
    if (node.empty()) return null;
    cy.zoom(2.5);
    cy.center(node);
    const p = node.renderedPosition();
    return {x: p.x, y: p.y};
  }, key);
  expect(at, `${key} is not on the graph`);
  await page.waitForTimeout(300);
  const box = await page.getByTestId('graph').boundingBox();
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

const refKey = (ref) => `${ref.kind}:${ref.id}`;

async function main() {
  if (path.resolve(work) === '/' || path.resolve(work) === args.root) throw new Error(`refusing --work ${work}`);
  fs.rmSync(work, {recursive: true, force: true});
  fs.mkdirSync(shots, {recursive: true});
  const market = path.join(work, 'market');
  const run = path.join(work, 'run');
  const runs = path.join(work, 'runs');
  const tokens = path.join(work, 'tokens');

  // The run served, the way an operator makes it.
  let secrets;
  const setUp = await check('set up: generate, run, publish, tokens', () => {
    sourcetrace('generate', market, '--sellers', '2000', '--seed', '4');
    sourcetrace('run', market, '--out', run, '--job', path.join(args.root, 'jobs', 'default.toml'));
    sourcetrace('publish', run, '--to', runs);
    secrets = {
      inv: sourcetrace('token', 'add', tokens, '--id', 'inv', '--role', 'investigator'),
      brand: sourcetrace('token', 'add', tokens, '--id', 'brand', '--role', 'brand', '--brand', 'B001'),
    };
    expect(secrets.inv.length >= 16 && secrets.brand.length >= 16, 'token add printed no secret');
    return 'market of 2000 sellers, seed 4';
  });
  if (!setUp) return finish('cannot go on without a served run');

  let ports;
  if (!await check('server starts with --http 0', async () => {
    ports = await startServer(runs, tokens);
    return `web port ${ports.web}, thrift port ${ports.thrift}`;
  })) return finish('cannot go on without the server');
  const base = `http://127.0.0.1:${ports.web}`;

  let chromium;
  try {
    chromium = createRequire(path.join(args['node-modules'], 'noop.js'))(path.join(args['node-modules'], 'playwright-core')).chromium;
  } catch (e) {
    return finish(`playwright-core could not be loaded from ${args['node-modules']}: ${e.message}`);
  }
  try {
    browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: kChromiumArgs, timeout: 60000});
  } catch (e) {
    log(`chromium could not start: ${e.message.split('\n')[0]}`);
    return finish(`chromium could not start: ${e.message.split('\n')[0]}`);
  }
  pass('chromium starts', browser.version());

  // Every URL any page asks for, and every page error (a CSP refusal shows here).
  const urls = [];
  const pageErrors = [];
  const newContext = async () => {
    const context = await browser.newContext({viewport: {width: 1440, height: 960}});
    context.on('request', (r) => urls.push(r.url()));
    const page = await context.newPage();
    page.setDefaultTimeout(kWaitMs);
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
    });
    return {context, page};
  };

  // ---- the investigator ----
  const inv = await newContext();
  const {page} = inv;
  await check('signed out, the page is the sign-in form', async () => {
    const response = await page.goto(`${base}/`);
    expect(response && response.status() === 200, `GET / answered ${response && response.status()}`);
    const csp = response.headers()['content-security-policy'] || '';
    expect(/script-src 'self'/.test(csp), `no script-src 'self' in the CSP header: "${csp}"`);
    await page.getByTestId('sign-in').waitFor();
    await shot(page, '01-sign-in');
  });

  let list = [];
  await check('sign in: the networks list loads, sorted by risk', async () => {
    await signIn(page, secrets.inv);
    await page.getByTestId('networks').waitFor();
    const who = await page.getByTestId('who').textContent();
    expect(who.includes('inv') && who.includes('investigator'), `the header says "${who}"`);
    const risks = await page.locator('[data-testid=network-row]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.risk)));
    expect(risks.length > 0, 'no rows');
    for (let i = 1; i < risks.length; i += 1) expect(risks[i - 1] >= risks[i], `row ${i + 1} is riskier than row ${i}`);
    const answer = await apiGet(inv.context, base, 'networks', {offset: 0, limit: 1000});
    expect(answer.status === 200, `GET /api/networks answered ${answer.status}`);
    list = answer.body.networks;
    expect(String(list[0].network) === await page.locator('[data-testid=network-row]').first().getAttribute('data-network'),
      'the first row is not the API\'s riskiest network');
    await shot(page, '02-networks');
    return `${risks.length} rows, ${answer.body.total} networks`;
  });

  let top = null;
  let detail = null;
  let graph = null;
  await check('the top network opens as a graph holding all its members', async () => {
    await page.locator('[data-testid=network-row] a').first().click();
    await page.waitForURL(/\/network\/N[0-9a-f]{16}$/);
    top = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    await page.waitForFunction(() => window.__graphReady, null, {timeout: kWaitMs});
    const ready = await page.evaluate(() => window.__graphReady);
    const d = await apiGet(inv.context, base, 'network', {id: top});
    expect(d.status === 200, `GET /api/network answered ${d.status}`);
    detail = d.body;
    const g = await apiGet(inv.context, base, 'network_graph', {id: top, max_nodes: 2000});
    expect(g.status === 200, `GET /api/network_graph answered ${g.status}`);
    graph = g.body;
    const members = detail.members.length;
    expect(members === detail.summary.members, `${members} members listed, summary says ${detail.summary.members}`);
    expect(members <= 2000, `the top network has ${members} members (more than 2000: pick another)`);
    const drawn = Number(await page.getByTestId('graph').getAttribute('data-nodes'));
    expect(drawn === members && ready.nodes === members, `${drawn} nodes drawn (ready: ${ready.nodes}) for ${members} members`);
    await page.getByTestId('legend').waitFor();
    await shot(page, '03-network');
    return `${top}: ${members} members, ${ready.edges} edges, ready at ${Math.round(ready.ms)} ms`;
  });

  await check('clicking a target node shows its reason', async () => {
    expect(detail && detail.targets.length > 0, 'the top network has no targets');
    const target = detail.targets[0];
    const key = refKey(target.entity);
    await clickNode(page, key);
    const reason = page.getByTestId('panel-reason');
    await reason.waitFor();
    const shown = (await reason.textContent()).trim();
    const title = (await page.locator('[data-testid=panel] h2').textContent()).trim();
    expect(title === `${target.entity.kind} ${target.entity.id}`, `the click selected ${title}, not ${key}`);
    expect(shown === target.reason.trim(), `the panel says "${shown}", the API "${target.reason}"`);
    await page.getByTestId('panel-neighbours').locator('table').first().waitFor();
    await shot(page, '04-target-panel');
    return `#${target.rank} ${key}`;
  });

  await check('a layer filter hides that layer\'s edges', async () => {
    const shown = (want) => window.__cy.edges().filter((e) => e.data('layer') === 'payment' && e.visible()).length === want;
    const count = () => page.evaluate(() => window.__cy.edges().filter((e) => e.data('layer') === 'payment' && e.visible()).length);
    const before = await count();
    const box = page.locator('[data-testid=layer-filter] input[data-layer=payment]');
    await box.uncheck();
    await page.waitForFunction(shown, 0, {timeout: 5000})
      .catch(async () => { throw new Error(`unchecked, ${await count()} of ${before} payment edges still shown`); });
    await box.check();
    await page.waitForFunction(shown, before, {timeout: 5000})
      .catch(async () => { throw new Error(`checked again, ${await count()} of ${before} payment edges shown`); });
    return `${before} payment edges`;
  });

  await check('expanding a neighbour outside the network adds it to the graph', async () => {
    const members = new Set(graph.nodes.map((n) => refKey(n.entity)));
    let found = null;
    for (const n of graph.nodes.slice(0, 60)) {
      const e = await apiGet(inv.context, base, 'entity', {kind: n.entity.kind, id: n.entity.id, offset: 0, limit: 50});
      const outside = e.status === 200 && e.body.neighbours.find((x) => !members.has(refKey(x.entity)));
      if (outside) { found = {node: refKey(n.entity), outside: refKey(outside.entity)}; break; }
    }
    if (!found) return 'no member among the first 60 has a neighbour outside the network: nothing to expand';
    await clickNode(page, found.node);
    const [kind, id] = found.node.split(/:(.*)/);
    await page.locator('[data-testid=panel] h2', {hasText: `${kind} ${id}`}).waitFor();
    const before = Number(await page.getByTestId('graph').getAttribute('data-nodes'));
    await page.getByTestId('expand').first().click();
    const after = Number(await page.getByTestId('graph').getAttribute('data-nodes'));
    const added = await page.evaluate((k) => window.__cy.getElementById(k).nonempty(), found.outside);
    expect(after === before + 1 && added, `${before} nodes → ${after}; ${found.outside} drawn: ${added}`);
    await shot(page, '04-expanded');
    return `${found.node} → ${found.outside}`;
  });

  await check('the path tool highlights a path between two nodes', async () => {
    expect(detail.targets.length > 1, 'fewer than two targets');
    await page.getByTestId('path-from-here').click();
    const second = detail.targets[1];
    await page.locator('[data-testid=targets] tbody tr').nth(1).locator('button').click();
    await page.locator('[data-testid=panel] h2', {hasText: second.entity.id}).waitFor();
    await page.getByTestId('path-to-here').click();
    await page.getByTestId('path-find').click();
    await page.getByTestId('path-result').filter({hasText: /path\(s\)|no path/}).waitFor();
    const text = await page.getByTestId('path-result').textContent();
    const marked = await page.evaluate(() => window.__cy.elements('.on-path').length);
    expect(/path\(s\)/.test(text) && marked > 0, `"${text}", ${marked} elements marked`);
    await shot(page, '05-path-tool');
    return text.trim();
  });

  await check('the case file link downloads the network\'s case file', async () => {
    const href = await page.getByTestId('case-file').getAttribute('href');
    expect(href === `/api/case?id=${top}`, `href ${href}`);
    const r = await inv.context.request.get(`${base}${href}`);
    expect(r.status() === 200, `GET ${href} answered ${r.status()}`);
    const type = r.headers()['content-type'] || '';
    expect(/text\/html/.test(type), `content-type ${type}`);
    return `${(await r.body()).length} bytes, ${r.headers()['content-disposition'] || 'no content-disposition'}`;
  });

  await check('a verdict is recorded and its receipt shown', async () => {
    await page.getByTestId('verdict-outcome').selectOption('inconclusive');
    await page.locator('[data-testid=verdict-receipt]').locator('..').getByRole('button', {name: 'Record verdict'}).click();
    const receipt = page.getByTestId('verdict-receipt');
    await receipt.filter({hasText: /\S/}).waitFor();
    const text = await receipt.textContent();
    expect(/Recorded: inconclusive/.test(text), `"${text}"`);
    return text.trim();
  });

  await check('a report is taken and its receipt shown', async () => {
    const form = page.getByTestId('report-form');
    await form.locator('select[name=signal]').selectOption('complaint');
    await form.locator('input[name=brand]').fill('');
    await form.getByRole('button', {name: 'Send report'}).click();
    const receipt = page.getByTestId('report-receipt');
    await receipt.locator('table').waitFor();
    const cells = await receipt.locator('tbody td').allTextContents();
    expect(cells[1] === 'yes', `receipt ${cells.join(' | ')}`);
    await shot(page, '05-receipts');
    return `journal line ${cells[3]}`;
  });

  await check('the path view draws a path between two members', async () => {
    expect(graph && graph.nodes.length > 1, 'no graph');
    const start = 0;  // the first target
    const distance = bfs(graph, start, 3);
    let end = -1;
    for (const [v, d] of distance) if (d >= 2 && (end < 0 || d > distance.get(end))) end = v;
    if (end < 0) for (const [v, d] of distance) if (d === 1) end = v;
    expect(end >= 0, 'no other member within 3 hops of the first target');
    const from = refKey(graph.nodes[start].entity);
    const to = refKey(graph.nodes[end].entity);
    await page.goto(`${base}/path?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    await page.waitForFunction(() => window.__pathReady, null, {timeout: kWaitMs});
    const ready = await page.evaluate(() => window.__pathReady);
    expect(ready.paths >= 1, `paths ${ready.paths}`);
    await shot(page, '05-path');
    return `${from} → ${to}: ${ready.paths} path(s) of ${ready.hops} hops`;
  });

  await check('the trace page shows goods and money', async () => {
    const t = detail.targets[0].entity;
    await page.goto(`${base}/trace/${t.kind}/${encodeURIComponent(t.id)}`);
    await page.getByTestId('trace').waitFor();
    await page.getByTestId('trace-graph').waitFor();
    await shot(page, '06-trace');
  });

  await check('the session cookie is HttpOnly and SameSite=Strict', async () => {
    const cookies = await inv.context.cookies(base);
    const c = cookies.find((x) => x.name === 'st_session');
    expect(c, `no st_session cookie (${cookies.map((x) => x.name).join(', ') || 'none'})`);
    expect(c.httpOnly === true, 'not httpOnly');
    expect(c.sameSite === 'Strict', `sameSite ${c.sameSite}`);
    expect(!c.value.includes(secrets.inv), 'the cookie holds the token');
    const visible = await page.evaluate(() => document.cookie);
    expect(!visible.includes('st_session'), 'the page script can read the cookie');
    const stored = await page.evaluate(() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage}));
    expect(!stored.includes(secrets.inv), 'the token is in web storage');
  });

  // ---- a brand partner ----
  const brand = await newContext();
  let hidden = null;
  let notFoundText = null;
  const graphStatus = (p, id) => p.waitForResponse((r) => r.url().includes('/api/network_graph?') &&
    new URL(r.url()).searchParams.get('id') === id, {timeout: kWaitMs});
  await check('a brand gets the not-found page for a network it may not see', async () => {
    await brand.page.goto(`${base}/networks`);
    await signIn(brand.page, secrets.brand);
    await brand.page.getByTestId('networks').waitFor();
    const mine = await apiGet(brand.context, base, 'networks', {offset: 0, limit: 1000});
    expect(mine.status === 200, `GET /api/networks (brand) answered ${mine.status}`);
    const seen = new Set(mine.body.networks.map((n) => n.network));
    const other = list.find((n) => !seen.has(n.network));
    expect(other, 'every network the investigator sees is the brand\'s too');
    hidden = other.network;
    const response = graphStatus(brand.page, hidden);
    await brand.page.goto(`${base}/network/${hidden}`);
    const status = (await response).status();
    await brand.page.getByTestId('not-found').waitFor();
    expect(status === 404, `the API answered ${status}`);
    notFoundText = (await brand.page.getByTestId('not-found').textContent()).split(hidden).join('');
    expect(/Not found/.test(notFoundText), `the page says "${notFoundText}"`);
    await shot(brand.page, '07-brand-hidden');
    return `${hidden}: 404`;
  });

  await check('... and exactly the same page for a network that does not exist', async () => {
    expect(notFoundText !== null, 'no page to compare with');
    const madeUp = 'N0000000000000000';
    const response = graphStatus(brand.page, madeUp);
    await brand.page.goto(`${base}/network/${madeUp}`);
    const status = (await response).status();
    await brand.page.getByTestId('not-found').waitFor();
    const text = (await brand.page.getByTestId('not-found').textContent()).split(madeUp).join('');
    expect(status === 404, `the API answered ${status}`);
    expect(text === notFoundText, `"${text}" differs from "${notFoundText}"`);
    await shot(brand.page, '08-brand-made-up');
  });

  await check('the API\'s two 404 answers are the same but for the id', async () => {
    const a = await apiGet(brand.context, base, 'network', {id: hidden});
    const b = await apiGet(brand.context, base, 'network', {id: 'N0000000000000000'});
    expect(a.status === 404 && b.status === 404, `statuses ${a.status} and ${b.status}`);
    const strip = (body, id) => JSON.stringify(body).split(id).join('');
    expect(strip(a.body, hidden) === strip(b.body, 'N0000000000000000'),
      `${JSON.stringify(a.body)} vs ${JSON.stringify(b.body)}`);
  });

  await check('a revoked token: its next page is the sign-in form (401)', async () => {
    sourcetrace('token', 'revoke', tokens, '--id', 'brand');
    server.kill('SIGHUP');
    let signedOut = false;
    for (let attempt = 0; attempt < 20 && !signedOut; attempt += 1) {
      await new Promise((r) => setTimeout(r, 500));
      const answers = [];
      const onResponse = (r) => { if (r.url().includes('/api/')) answers.push(r.status()); };
      brand.page.on('response', onResponse);
      await brand.page.goto(`${base}/networks`);
      await brand.page.locator('[data-testid=sign-in], [data-testid=networks]').first().waitFor();
      brand.page.off('response', onResponse);
      signedOut = await brand.page.getByTestId('sign-in').isVisible();
      if (signedOut) expect(answers.includes(401), `sign-in shown but the API answered ${answers.join(', ')}`);
    }
    expect(signedOut, 'the brand session still works 10 s after the revocation and SIGHUP');
    await shot(brand.page, '09-brand-revoked');
  });

  await check('sign-out ends the session', async () => {
    await page.goto(`${base}/networks`);
    await page.getByTestId('networks').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    const after = await apiGet(inv.context, base, 'session', {});
    expect(after.status === 401, `GET /api/session after sign-out answered ${after.status}`);
    await page.goto(`${base}/network/${top}`);
    await page.getByTestId('sign-in').waitFor();
    await shot(page, '10-signed-out');
  });

  await check('no URL visited holds a token secret', async () => {
    const leaks = urls.filter((u) => u.includes(secrets.inv) || u.includes(secrets.brand) ||
      u.includes(encodeURIComponent(secrets.inv)) || u.includes(encodeURIComponent(secrets.brand)));
    expect(urls.length > 10, `only ${urls.length} requests recorded`);
    expect(!leaks.length, `${leaks.length} URLs hold a token, e.g. ${leaks[0]}`);
    return `${urls.length} requests`;
  });

  await check('no script error or CSP refusal on any page', async () => {
    expect(!pageErrors.length, `${pageErrors.length}: ${pageErrors.slice(0, 3).join(' | ')}`);
  });

  return finish();
}

main().catch((e) => finish(e && e.stack ? e.stack : String(e)));
