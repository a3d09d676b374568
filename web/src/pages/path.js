// The shortest paths between two entities (/path?from=KIND:ID&to=KIND:ID),
// drawn as a small graph and listed step by step. Sets
// window.__pathReady = {paths, hops} once drawn.

import {api} from '../api.js';
import {amount, entityLink, h, section, table} from '../dom.js';
import {drawGraph, edgeData, legend, nodeData, refKey} from '../graph.js';

function parseRef(text) {
  const i = (text || '').indexOf(':');
  if (i <= 0 || i === text.length - 1) return null;
  return {kind: text.slice(0, i), id: text.slice(i + 1)};
}

export async function pathPage(ctx) {
  window.__pathReady = null;
  const q = ctx.query;
  const from = parseRef(q.get('from'));
  const to = parseRef(q.get('to'));
  const maxHops = Math.min(6, Math.max(1, Number.parseInt(q.get('max_hops') || '6', 10) || 6));
  const form = h('form', {class: 'filters', action: '/path', 'data-route': ''},
    h('label', null, 'from ', h('input', {name: 'from', value: q.get('from') || '', placeholder: 'seller:S000123', required: true})),
    h('label', null, 'to ', h('input', {name: 'to', value: q.get('to') || '', placeholder: 'account:A000456', required: true})),
    h('label', null, 'max hops ', h('input', {name: 'max_hops', type: 'number', min: 1, max: 6, value: String(maxHops)})),
    h('button', {type: 'submit'}, 'Find paths'));
  ctx.main.append(section('Paths', form));
  if (!from || !to) {
    ctx.main.append(h('p', {class: 'muted card'}, 'Name both ends as KIND:ID (seller, warehouse or account).'));
    return;
  }
  const result = await api.get('paths', {source_kind: from.kind, source: from.id, destination_kind: to.kind,
    destination: to.id, max_hops: maxHops, max_paths: 8});
  if (!ctx.isCurrent()) return;
  const paths = result.paths || [];
  if (!paths.length) {
    ctx.main.append(h('p', {class: 'card', testid: 'no-path'},
      `No path within ${maxHops} hops (${result.visited} entities looked at).`));
    window.__pathReady = {paths: 0, hops: 0};
    return;
  }
  const elements = [];
  const seen = new Set();
  const addNode = (ref, classes) => {
    const key = refKey(ref);
    if (seen.has(key)) return;
    seen.add(key);
    elements.push({group: 'nodes', data: nodeData(ref), classes});
  };
  addNode(from, 'start');
  addNode(to, 'start');
  paths.forEach((p) => p.steps.forEach((s, i) => {
    addNode(s.tail);
    addNode(s.head);
    const key = [refKey(s.tail), refKey(s.head)].sort().join('|') + `|${s.layer}`;
    if (seen.has(key)) return;
    seen.add(key);
    elements.push({group: 'edges', data: edgeData(`p${elements.length}-${i}`, refKey(s.tail), refKey(s.head), s.layer,
      {weight: s.weight})});
  }));
  const container = h('div', {class: 'graph small-graph', testid: 'path-graph'});
  ctx.main.append(h('section', {class: 'card'},
    h('h2', null, `${paths.length} shortest path(s) of ${result.hops} hops`),
    h('p', {class: 'muted'}, `${result.visited} entities looked at.`),
    h('div', {class: 'graph-wrap'}, container, legend()),
    paths.map((p, n) => h('div', {class: 'path-steps'}, h('h3', null, `Path ${n + 1}`), table([
      {title: 'step', class: 'num', cell: (s) => String(p.steps.indexOf(s) + 1)},
      {title: 'from', cell: (s) => entityLink(s.tail)},
      {title: 'layer', cell: (s) => s.layer},
      {title: 'weight', class: 'num', cell: (s) => amount(s.weight)},
      {title: 'to', cell: (s) => entityLink(s.head)},
    ], p.steps, {class: 'data compact', testid: 'path-steps'})))));
  const {cy, ready} = drawGraph(container, elements, {name: 'breadthfirst', roots: [refKey(from)], directed: false,
    animate: false, fit: true, padding: 30, spacingFactor: 1.2});
  window.__cy = cy;
  ctx.onCleanup(() => { cy.destroy(); if (window.__cy === cy) window.__cy = null; });
  await ready;
  if (!ctx.isCurrent()) return;
  window.__pathReady = {paths: paths.length, hops: result.hops};
}
