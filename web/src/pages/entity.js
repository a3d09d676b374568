// One entity (/entity/KIND/ID?page=): its network, risk, role, evidence,
// its neighbours a page at a time; links to trace from it and to report on it.

import {api} from '../api.js';
import {amount, entityLink, fixed, h, link, networkLink, pager, section, table} from '../dom.js';
import {reportForm} from './report_form.js';

const kPageSize = 50;

export async function entityPage(ctx) {
  const {kind, id} = ctx.params;
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') || '1', 10) || 1);
  const offset = (page - 1) * kPageSize;
  const [e] = await Promise.all([api.get('entity', {kind, id, offset, limit: kPageSize}), ctx.sessionReady]);
  if (!ctx.isCurrent()) return;
  const base = `/entity/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`;
  const trace = `/trace/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`;
  ctx.main.append(
    h('section', {class: 'card summary', testid: 'entity'},
      h('h1', null, `${e.entity.kind} `, h('code', null, e.entity.id)),
      h('dl', {class: 'facts'},
        h('dt', null, 'network'), h('dd', {testid: 'entity-network'}, e.network ? networkLink(e.network) : '—'),
        h('dt', null, 'risk'), h('dd', null, fixed(e.risk)),
        h('dt', null, 'role'), h('dd', null, e.role_hint || '—')),
      h('div', {class: 'buttons'}, link(trace, 'Trace goods and money from here'),
        link(`/path?from=${encodeURIComponent(`${kind}:${id}`)}`, 'Find a path from here'))),
    section('Evidence', (e.evidence || []).length ? table([
      {title: 'signal', cell: (x) => x.signal},
      {title: 'brand', cell: (x) => x.brand || '—'},
      {title: 'rows', class: 'num', cell: (x) => String(x.rows)},
    ], e.evidence, {class: 'data', testid: 'evidence'}) : h('p', {class: 'muted'}, 'No evidence.')),
    section('Neighbours', table([
      {title: 'entity', cell: (x) => entityLink(x.entity)},
      {title: 'layer', cell: (x) => x.layer},
      {title: 'weight', class: 'num', cell: (x) => amount(x.weight)},
    ], e.neighbours || [], {class: 'data', testid: 'neighbours'}),
    pager(Number(e.neighbours_total), Number(e.neighbours_offset ?? offset), kPageSize,
      (p) => (p > 1 ? `${base}?page=${p}` : base))),
    section('Report evidence', reportForm(ctx, {entity: e.entity}).form));
}
