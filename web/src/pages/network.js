// One network (/network/N…[?max_nodes=]): its graph, a side panel for the node clicked
// (evidence, neighbours, target rank and reason), layer filters, the path
// tool, the evidence timeline, its targets, its history, the case-file
// download, and the verdict and report forms.

import {api, getWithin} from '../api.js';
import {amount, clear, entityHref, entityLink, fixed, h, link, networkLink, notice, percent, section, table}
  from '../dom.js';
import {clearPaths, drawGraph, ensureEdge, ensureNode, kLayers, kRoleColours, legend, networkElements, refKey,
  showPaths} from '../graph.js';
import {reportForm} from './report_form.js';

const kMaxNodes = 2000;
const kNeighbourPage = 50;

function lineageLinks(lineage) {
  if (!lineage) return h('span', {class: 'muted'}, 'none');
  return lineage.split(';').filter(Boolean).map((part) => {
    const m = /^([a-z_]+):(N[0-9a-f]+)(?:@(.*))?$/.exec(part);
    if (!m) return h('span', {class: 'lineage'}, part);
    return h('span', {class: 'lineage'}, `${m[1].replace('_', ' ')} `, networkLink(m[2]), m[3] ? ` on ${m[3]}` : '');
  });
}

function summaryCard(s, graph) {
  return h('section', {class: 'card summary', testid: 'network-summary'},
    h('h1', null, 'Network ', h('code', null, s.network)),
    h('dl', {class: 'facts'},
      h('dt', null, 'risk'), h('dd', {testid: 'network-risk'}, fixed(s.risk)),
      h('dt', null, 'members'), h('dd', {testid: 'network-members'},
        `${s.members} (${s.sellers} sellers, ${s.warehouses} warehouses, ${s.accounts} accounts)`),
      h('dt', null, 'evidence rows'), h('dd', null, String(s.evidence)),
      h('dt', null, 'brands'), h('dd', null, (s.brands || []).join(' ') || '—'),
      h('dt', null, 'first seen'), h('dd', null, s.first_seen || '—'),
      h('dt', null, 'reason'), h('dd', null, s.reason || '—')),
    graph.partial ? notice(`Showing the ${graph.nodes.filter((n) => n.target_rank > 0).length} targets and their ` +
      `neighbours of ${s.members} members (${graph.nodes.length} drawn).`, 'warn') : null);
}

function timelineCard(graph) {
  const events = graph.timeline || [];
  const byMonth = new Map();
  for (const e of events) {
    const month = (e.reported_on || '').slice(0, 7) || '?';
    const entry = byMonth.get(month) || {count: 0, signals: new Map()};
    entry.count += 1;
    entry.signals.set(e.signal, (entry.signals.get(e.signal) || 0) + 1);
    byMonth.set(month, entry);
  }
  const months = [...byMonth.keys()].sort();
  const most = Math.max(1, ...[...byMonth.values()].map((v) => v.count));
  const bars = h('div', {class: 'timeline', testid: 'timeline'}, months.map((month) => {
    const entry = byMonth.get(month);
    const bar = h('span', {class: 'bar'});
    bar.style.width = `${Math.max(2, (100 * entry.count) / most)}%`;
    const detail = [...entry.signals].map(([s, c]) => `${s} ${c}`).join(', ');
    return h('div', {class: 'row', title: detail}, h('span', {class: 'month'}, month), bar,
      h('span', {class: 'count'}, `${entry.count}`), h('span', {class: 'muted small'}, detail));
  }));
  const newest = events.slice(-25).reverse();
  return section('Evidence timeline',
    h('p', {class: 'muted'}, `${graph.timeline_total} evidence rows` +
      (Number(graph.timeline_total) > events.length ? `; the newest ${events.length} shown` : '') + '.'),
    events.length ? bars : h('p', {class: 'muted'}, 'No evidence.'),
    newest.length ? table([
      {title: 'reported on', cell: (e) => e.reported_on},
      {title: 'entity', cell: (e) => entityLink(e.entity)},
      {title: 'signal', cell: (e) => e.signal},
      {title: 'brand', cell: (e) => e.brand || '—'},
    ], newest, {class: 'data compact'}) : null);
}

function historyCard(detail) {
  const s = detail.summary;
  const changes = detail.changes || [];
  return section('History',
    h('dl', {class: 'facts'},
      h('dt', null, 'first seen'), h('dd', null, s.first_seen || '—'),
      h('dt', null, 'lineage'), h('dd', {testid: 'lineage'}, lineageLinks(s.lineage))),
    changes.length ? table([
      {title: 'change', cell: (c) => c.change},
      {title: 'with', cell: (c) => (c.others || []).map((o) => [networkLink(o), ' '])},
      {title: 'members', class: 'num', cell: (c) => `${c.members_before} → ${c.members_after}`},
      {title: 'risk', class: 'num', cell: (c) => `${fixed(c.risk_before)} → ${fixed(c.risk_after)}`},
      {title: 'new evidence', class: 'num', cell: (c) => String(c.new_evidence)},
    ], changes, {class: 'data', testid: 'changes'}) : h('p', {class: 'muted'}, 'No change listed for tonight.'));
}

function countsCard(detail) {
  return section('Evidence and layers',
    h('div', {class: 'two'},
      table([
        {title: 'signal', cell: (e) => e.signal},
        {title: 'brand', cell: (e) => e.brand || '—'},
        {title: 'rows', class: 'num', cell: (e) => String(e.rows)},
      ], detail.evidence || [], {class: 'data compact'}),
      table([
        {title: 'layer', cell: (l) => l.layer},
        {title: 'edges inside', class: 'num', cell: (l) => String(l.edges)},
      ], detail.layers || [], {class: 'data compact'})));
}

function verdictCard(ctx, network) {
  const outcome = h('select', {name: 'outcome', testid: 'verdict-outcome'},
    ['confirmed', 'cleared', 'inconclusive'].map((o) => h('option', {value: o}, o)));
  const note = h('textarea', {name: 'note', rows: 2, maxlength: 2000, placeholder: 'note (what was found)'});
  const out = h('div', {testid: 'verdict-receipt'});
  const button = h('button', {type: 'submit'}, 'Record verdict');
  const form = h('form', {class: 'stack', on: {submit: async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const r = await api.post('verdict', {network, outcome: outcome.value, note: note.value});
      clear(out).append(notice(`Recorded: ${r.outcome} on ${r.network}, line ${r.sequence} of the journal, ` +
        `run ${r.run}, ${r.members} members labelled, received ${r.received}.`, 'ok'));
    } catch (e) {
      ctx.actionError(e, out);
    } finally {
      button.disabled = false;
    }
  }}}, h('label', null, 'outcome ', outcome), note, button);
  return section('Close the case', form, out);
}

export async function networkPage(ctx) {
  window.__graphReady = null;
  const id = ctx.params.id;
  // Both asked at once; the graph is drawn as soon as its answer is in.
  // ?max_nodes= draws fewer (its targets and their neighbours); the
  // server's own limit is taken if this one is above it.
  const maxNodes = Number.parseInt(ctx.query.get('max_nodes') || '', 10);
  const graphAnswer = getWithin('network_graph', {id, max_nodes: maxNodes > 0 ? maxNodes : kMaxNodes}, 'max_nodes');
  const detailAnswer = api.get('network', {id});
  detailAnswer.catch(() => {});  // told through the graph's answer, or below
  const graph = await graphAnswer;
  if (!ctx.isCurrent()) return;
  const fetched = performance.now();
  const s = graph.summary;

  // The toolbar, the graph, its legend and the side panel.
  const container = h('div', {class: 'graph', testid: 'graph', 'data-nodes': String(graph.nodes.length)});
  const panel = h('aside', {class: 'panel card', testid: 'panel'},
    h('p', {class: 'muted'}, 'Click a node to see its evidence and neighbours.'));
  const layerLabels = new Map();
  const layerBoxes = h('fieldset', {class: 'layers', testid: 'layer-filter'}, h('legend', null, 'layers'),
    kLayers.map((layer) => {
      const label = h('span', null, ` ${layer}`);
      layerLabels.set(layer, label);
      return h('label', null, h('input', {type: 'checkbox', checked: true, name: layer, 'data-layer': layer}), label);
    }));
  const pathState = {from: null, to: null};
  const pathFrom = h('code', {testid: 'path-from'}, '—');
  const pathTo = h('code', {testid: 'path-to'}, '—');
  const pathOut = h('span', {class: 'path-out', testid: 'path-result'});
  const pathButton = h('button', {type: 'button', testid: 'path-find', disabled: true}, 'Find paths');
  const clearButton = h('button', {type: 'button'}, 'Clear');
  const traceLink = h('a', {href: '#', class: 'button disabled', testid: 'trace-selected', 'aria-disabled': 'true'},
    'Trace from selected');
  const caseLink = h('a', {href: `/api/case?id=${encodeURIComponent(s.network)}`, class: 'button', download: '',
    testid: 'case-file'}, 'Download case file');
  const fitButton = h('button', {type: 'button'}, 'Fit');
  const toolbar = h('div', {class: 'toolbar'}, layerBoxes,
    h('fieldset', {class: 'path-tool', testid: 'path-tool'}, h('legend', null, 'path'),
      'from ', pathFrom, ' to ', pathTo, ' ', pathButton, clearButton, ' ', pathOut),
    h('div', {class: 'actions'}, traceLink, caseLink, fitButton));
  const graphWrap = h('div', {class: 'graph-wrap'}, container, legend());
  const rest = h('div', {class: 'network-rest'}, h('p', {class: 'muted card'}, 'Loading its targets and history…'));
  ctx.main.append(
    summaryCard(s, graph),
    h('div', {class: 'network-layout'}, h('div', {class: 'graph-column'}, toolbar, graphWrap), panel),
    timelineCard(graph),
    rest);

  const drawStart = performance.now();
  const {cy, ready, timings} = drawGraph(container, networkElements(graph));
  const laidOut = performance.now();
  window.__cy = cy;
  ctx.onCleanup(() => { cy.destroy(); if (window.__cy === cy) window.__cy = null; });
  const setCount = () => { container.dataset.nodes = String(cy.nodes().length); };

  layerBoxes.addEventListener('change', (event) => {
    const layer = event.target.dataset.layer;
    if (layer) cy.edges().filter((e) => e.data('layer') === layer).toggleClass('layer-hidden', !event.target.checked);
  });
  fitButton.addEventListener('click', () => cy.fit(undefined, 24));

  const refOf = (node) => ({kind: node.data('kind'), id: node.data('ref')});
  const setPathEnd = (end, node) => {
    pathState[end] = refOf(node);
    (end === 'from' ? pathFrom : pathTo).textContent = refKey(pathState[end]);
    pathButton.disabled = !(pathState.from && pathState.to);
  };
  pathButton.addEventListener('click', async () => {
    const {from, to} = pathState;
    if (!from || !to) return;
    clear(pathOut).append('searching…');
    try {
      const result = await api.get('paths', {source_kind: from.kind, source: from.id, destination_kind: to.kind,
        destination: to.id, max_hops: 6, max_paths: 4});
      if (!ctx.isCurrent()) return;
      clear(pathOut);
      if (!result.paths.length) { pathOut.append('no path within 6 hops'); clearPaths(cy); return; }
      const marked = showPaths(cy, result.paths);
      setCount();
      cy.animate({fit: {eles: marked, padding: 60}}, {duration: 300});
      pathOut.append(`${result.paths.length} path(s) of ${result.hops} hops `,
        link(`/path?from=${encodeURIComponent(refKey(from))}&to=${encodeURIComponent(refKey(to))}`, 'open as page'));
    } catch (e) {
      ctx.actionError(e, pathOut);
    }
  });
  clearButton.addEventListener('click', () => {
    clearPaths(cy);
    pathState.from = pathState.to = null;
    pathFrom.textContent = pathTo.textContent = '—';
    pathButton.disabled = true;
    clear(pathOut);
  });
  let report = null;

  // The side panel for one node; a newer click wins over a slower answer.
  let shown = 0;
  async function showNode(node, offset = 0) {
    const mine = ++shown;
    const ref = refOf(node);
    traceLink.setAttribute('href', `/trace/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.id)}`);
    traceLink.setAttribute('data-route', '');
    traceLink.classList.remove('disabled');
    traceLink.removeAttribute('aria-disabled');
    if (report) report.setEntity(ref);
    const d = node.data();
    const neighboursBox = h('div', {testid: 'panel-neighbours'}, h('p', {class: 'muted'}, 'loading…'));
    clear(panel).append(
      h('h2', null, link(entityHref(ref), `${ref.kind} ${ref.id}`)),
      h('dl', {class: 'facts'},
        h('dt', null, 'role'), h('dd', {testid: 'panel-role'}, d.role || '—'),
        h('dt', null, 'risk'), h('dd', null, d.risk === null ? '—' : fixed(d.risk)),
        h('dt', null, 'evidence rows'), h('dd', null, String(d.evidence || 0)),
        d.rank > 0 ? [h('dt', null, 'target'), h('dd', {testid: 'panel-rank'}, `#${d.rank}`)] : null),
      d.rank > 0 ? h('p', {class: 'reason', testid: 'panel-reason'}, d.reason) : null,
      h('div', {class: 'buttons'},
        h('button', {type: 'button', testid: 'path-from-here', on: {click: () => setPathEnd('from', node)}}, 'Path from here'),
        h('button', {type: 'button', testid: 'path-to-here', on: {click: () => setPathEnd('to', node)}}, 'Path to here'),
        link(`/trace/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.id)}`, 'Trace')),
      neighboursBox);
    try {
      const e = await api.get('entity', {kind: ref.kind, id: ref.id, offset, limit: kNeighbourPage});
      if (mine !== shown || !ctx.isCurrent()) return;
      clear(neighboursBox);
      if (d.role === '' && e.role_hint) node.data({role: e.role_hint, colour: kRoleColours[e.role_hint] || kRoleColours['']});
      if (d.risk === null) node.data('risk', e.risk);
      if (e.network && e.network !== s.network) {
        neighboursBox.append(h('p', null, 'In network ', networkLink(e.network)));
      }
      neighboursBox.append(h('h3', null, 'Evidence'), (e.evidence || []).length ? table([
        {title: 'signal', cell: (x) => x.signal},
        {title: 'brand', cell: (x) => x.brand || '—'},
        {title: 'rows', class: 'num', cell: (x) => String(x.rows)},
      ], e.evidence, {class: 'data compact', testid: 'panel-evidence'}) : h('p', {class: 'muted'}, 'none'));
      const total = Number(e.neighbours_total);
      neighboursBox.append(h('h3', null, `Neighbours (${total})`), table([
        {title: 'entity', cell: (x) => entityLink(x.entity)},
        {title: 'layer', cell: (x) => x.layer},
        {title: 'weight', class: 'num', cell: (x) => amount(x.weight)},
        {title: '', cell: (x) => {
          const key = refKey(x.entity);
          if (cy.getElementById(key).nonempty()) {
            return h('button', {type: 'button', class: 'small', on: {click: () => select(key)}}, 'show');
          }
          return h('button', {type: 'button', class: 'small', testid: 'expand', on: {click: (ev) => {
            const added = ensureNode(cy, x.entity, {}, node);
            ensureEdge(cy, node.id(), added.id(), x.layer, x.weight);
            setCount();
            ev.target.replaceWith(h('button', {type: 'button', class: 'small', on: {click: () => select(key)}}, 'show'));
          }}}, 'expand');
        }},
      ], e.neighbours || [], {class: 'data compact'}));
      const more = [];
      if (offset > 0) more.push(h('button', {type: 'button', class: 'small', on: {click: () => showNode(node, Math.max(0, offset - kNeighbourPage))}}, '‹ previous'));
      if (offset + kNeighbourPage < total) more.push(h('button', {type: 'button', class: 'small', on: {click: () => showNode(node, offset + kNeighbourPage)}}, 'next ›'));
      if (more.length) neighboursBox.append(h('div', {class: 'buttons'}, more));
    } catch (err) {
      if (mine === shown) ctx.actionError(err, neighboursBox);
    }
  }

  function select(key) {
    const node = cy.getElementById(key);
    if (node.empty()) return;
    cy.elements().unselect();
    node.select();
    cy.animate({center: {eles: node}}, {duration: 200});
    showNode(node);
  }

  cy.on('tap', 'node', (event) => {
    cy.elements().unselect();
    event.target.select();
    showNode(event.target);
  });

  // The rest of the page: its targets, history and forms, once the
  // network's detail and the session are in.
  Promise.all([detailAnswer, ctx.sessionReady]).then(([detail, session]) => {
    if (!ctx.isCurrent()) return;
    for (const l of detail.layers || []) {
      const label = layerLabels.get(l.layer);
      if (label) label.textContent = ` ${l.layer} (${l.edges})`;
    }
    const targetsTable = (detail.targets || []).length ? table([
      {title: 'rank', class: 'num', cell: (t) => `#${t.rank}`},
      {title: 'entity', cell: (t) => h('span', null, entityLink(t.entity), ' ',
        h('button', {type: 'button', class: 'small', on: {click: () => select(refKey(t.entity))}}, 'show'))},
      {title: 'role', cell: (t) => t.role_hint},
      {title: 'impact', class: 'num', cell: (t) => percent(t.impact)},
      {title: 'marginal', class: 'num', cell: (t) => percent(t.marginal)},
      {title: 'reason', class: 'reason', cell: (t) => t.reason},
    ], detail.targets, {class: 'data', testid: 'targets'}) : h('p', {class: 'muted'}, 'No targets in this network.');
    report = reportForm(ctx, {brands: s.brands || []});
    clear(rest).append(
      section('Targets', targetsTable),
      historyCard(detail),
      countsCard(detail),
      session.role === 'investigator' ? verdictCard(ctx, s.network) : null,
      section('Report evidence', report.form));
  }, (e) => ctx.fail(e));

  await ready;
  if (!ctx.isCurrent()) return;
  const now = performance.now();
  // For the tests and bench/web.mjs: ms from navigation start; the phases
  // say where the time went (API answers, page, cytoscape with its layout, first frame).
  const start = performance.getEntriesByName('sourcetrace-app-start')[0];
  window.__graphReady = {nodes: cy.nodes().length, edges: cy.edges().length, ms: now, phases: {
    script: start ? start.startTime : null, answered: fetched, page: drawStart - fetched, init: timings.init,
    layout: timings.layout, frame: now - laidOut}};
  container.dataset.ready = 'true';
}
