// The networks, most suspect first: filters and the page number live in
// the URL (/networks?min_risk&brand&min_members&max_members&page), so a
// filtered page can be shared.

import {api} from '../api.js';
import {fixed, h, link, networkLink, pager, section, table} from '../dom.js';

const kPageSize = 50;

function positiveInt(value, fallback) {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export async function networksPage(ctx) {
  const q = ctx.query;
  const filter = {
    min_risk: q.get('min_risk') || '',
    brand: q.get('brand') || '',
    min_members: q.get('min_members') || '',
    max_members: q.get('max_members') || '',
  };
  const page = positiveInt(q.get('page'), 1);
  const offset = (page - 1) * kPageSize;
  const [answer, session] = await Promise.all([api.get('networks', {...filter, offset, limit: kPageSize}), ctx.sessionReady]);
  if (!ctx.isCurrent()) return;
  const networks = [...answer.networks].sort((a, b) => b.risk - a.risk);

  const field = (name, label, attrs) => h('label', null, label, ' ',
    h('input', {name, value: filter[name], ...attrs}));
  const brands = session.role === 'brand' ? session.brands || [] : [];
  const form = h('form', {class: 'filters', action: '/networks', 'data-route': '', testid: 'filters'},
    field('min_risk', 'min risk', {type: 'number', min: 0, max: 1, step: 0.01, placeholder: '0'}),
    brands.length ? h('label', null, 'brand ', h('select', {name: 'brand'}, h('option', {value: ''}, 'any'),
      brands.map((b) => h('option', {value: b, selected: b === filter.brand}, b))))
      : field('brand', 'brand', {type: 'text', placeholder: 'B001', size: 6}),
    field('min_members', 'members from', {type: 'number', min: 0, step: 1}),
    field('max_members', 'to', {type: 'number', min: 0, step: 1}),
    h('button', {type: 'submit'}, 'Filter'),
    link('/networks', 'clear'));

  const hrefFor = (p) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== '') s.set(k, v);
    if (p > 1) s.set('page', String(p));
    const qs = s.toString();
    return `/networks${qs ? `?${qs}` : ''}`;
  };
  const columns = [
    {title: 'network', cell: (n) => networkLink(n.network)},
    {title: 'risk', class: 'num', cell: (n) => fixed(n.risk)},
    {title: 'members', class: 'num', cell: (n) => String(n.members)},
    {title: 'sellers', class: 'num', cell: (n) => String(n.sellers)},
    {title: 'warehouses', class: 'num', cell: (n) => String(n.warehouses)},
    {title: 'accounts', class: 'num', cell: (n) => String(n.accounts)},
    {title: 'evidence', class: 'num', cell: (n) => String(n.evidence)},
    {title: 'brands', cell: (n) => (n.brands || []).join(' ')},
    {title: 'first seen', cell: (n) => n.first_seen || ''},
    {title: 'reason', class: 'reason', cell: (n) => n.reason || ''},
  ];
  ctx.main.append(section('Networks', form,
    networks.length ? table(columns, networks, {class: 'data', testid: 'networks',
      rowAttrs: (n) => ({testid: 'network-row', 'data-network': n.network, 'data-risk': n.risk})})
      : h('p', {class: 'muted', testid: 'no-networks'}, 'No network matches.'),
    pager(Number(answer.total), Number(answer.offset ?? offset), kPageSize, hrefFor)));
}
