// A trace from one entity (/trace/KIND/ID?max_hops=): goods followed
// upstream and downstream, money onward, each step with its share of the
// sender's visible total; hubs are listed, not expanded. Three tables and
// a small breadthfirst graph rooted at the start.

import {api} from '../api.js';
import {amount, entityLink, h, link, networkLink, percent, section, table} from '../dom.js';
import {drawGraph, edgeData, legend, nodeData, refKey} from '../graph.js';

function stepsTable(title, steps, testid) {
  return section(`${title} (${steps.length})`, steps.length ? table([
    {title: 'hops', class: 'num', cell: (s) => String(s.hops)},
    {title: 'via', cell: (s) => entityLink(s.via)},
    {title: 'entity', cell: (s) => entityLink(s.entity)},
    {title: 'layer', cell: (s) => s.layer},
    {title: 'weight', class: 'num', cell: (s) => amount(s.weight)},
    {title: 'share', class: 'num', cell: (s) => percent(s.share)},
    {title: 'role', cell: (s) => s.role_hint || '—'},
    {title: 'network', cell: (s) => networkLink(s.network)},
    {title: 'hub', cell: (s) => (s.hub ? h('span', {class: 'hub-mark', title: 'more links than max fanout: not expanded'}, 'hub') : '')},
  ], steps, {class: 'data', testid}) : h('p', {class: 'muted'}, 'Nothing this way.'));
}

export async function tracePage(ctx) {
  const {kind, id} = ctx.params;
  const maxHops = Number.parseInt(ctx.query.get('max_hops') || '', 10);
  const t = await api.get('trace', {kind, id, max_hops: Number.isFinite(maxHops) && maxHops > 0 ? maxHops : undefined});
  if (!ctx.isCurrent()) return;
  const base = `/trace/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`;
  const container = h('div', {class: 'graph small-graph', testid: 'trace-graph'});
  ctx.main.append(
    h('section', {class: 'card summary', testid: 'trace'},
      h('h1', null, 'Trace from ', entityLink(t.start)),
      h('dl', {class: 'facts'},
        h('dt', null, 'network'), h('dd', null, t.network ? networkLink(t.network) : '—'),
        h('dt', null, 'hops'), h('dd', null, `up to ${t.max_hops} `,
          [2, 3, 4, 6].filter((n) => n !== t.max_hops).map((n) => [link(`${base}?max_hops=${n}`, String(n)), ' '])),
        h('dt', null, 'hub above'), h('dd', null, `${t.max_fanout} links one way`),
        h('dt', null, 'looked at'), h('dd', null, `${t.visited} entities`)),
      h('div', {class: 'graph-wrap'}, container, legend())),
    stepsTable('Goods upstream (who supplied it)', t.upstream || [], 'trace-upstream'),
    stepsTable('Goods downstream (where they went)', t.downstream || [], 'trace-downstream'),
    stepsTable('Money onward (whom it paid)', t.money || [], 'trace-money'));

  // Columns by hops: goods upstream to the left of the start, downstream
  // to the right, money to the right below them; edges point the way the
  // goods or the money went. An entity met twice is drawn where first met.
  const elements = [{group: 'nodes', data: nodeData(t.start), classes: 'start', position: {x: 0, y: 0}}];
  const seen = new Set([refKey(t.start)]);
  const columns = new Map();
  let n = 0;
  const add = (steps, side, band) => {
    for (const s of steps) {
      const key = refKey(s.entity);
      if (!seen.has(key)) {
        seen.add(key);
        const column = `${band}:${side * s.hops}`;
        const row = columns.get(column) || [];
        columns.set(column, row);
        const node = {group: 'nodes', data: nodeData(s.entity, {role: s.role_hint, network: s.network}),
          classes: s.hub ? 'hub' : '', position: {x: side * s.hops * 260, y: 0}};
        row.push(node);
        elements.push(node);
      }
      n += 1;
      const [source, target] = side < 0 ? [key, refKey(s.via)] : [refKey(s.via), key];
      elements.push({group: 'edges', data: edgeData(`t${n}`, source, target, s.layer,
        {weight: s.weight, directed: true, label: percent(s.share)})});
    }
  };
  add(t.upstream || [], -1, 'goods');
  add(t.downstream || [], 1, 'goods');
  add(t.money || [], 1, 'money');
  // A long column folds into side columns of kFold rows, away from the start.
  const kRow = 30;
  const kFold = 16;
  const height = (row) => Math.min(row.length, kFold) * kRow;
  let goodsHalf = 0;
  for (const [column, row] of columns) if (column.startsWith('goods')) goodsHalf = Math.max(goodsHalf, height(row) / 2);
  for (const [column, row] of columns) {
    const top = column.startsWith('goods') ? -height(row) / 2 : goodsHalf + 80;
    row.forEach((node, i) => {
      node.position.y = top + (i % kFold) * kRow;
      node.position.x += Math.sign(node.position.x) * Math.floor(i / kFold) * 45;
    });
  }
  const {cy, ready} = drawGraph(container, elements, {name: 'preset', fit: true, padding: 30});
  window.__cy = cy;
  ctx.onCleanup(() => { cy.destroy(); if (window.__cy === cy) window.__cy = null; });
  await ready;
}
