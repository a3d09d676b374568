// Tonight's changes and alerts (/changes?page=&alerts_page=).

import {api} from '../api.js';
import {entityLink, fixed, h, networkLink, pager, section, table} from '../dom.js';

const kPageSize = 50;

export async function changesPage(ctx) {
  const q = ctx.query;
  const page = Math.max(1, Number.parseInt(q.get('page') || '1', 10) || 1);
  const alertsPage = Math.max(1, Number.parseInt(q.get('alerts_page') || '1', 10) || 1);
  const [changes, alerts] = await Promise.all([
    api.get('changes', {offset: (page - 1) * kPageSize, limit: kPageSize}),
    api.get('alerts', {offset: (alertsPage - 1) * kPageSize, limit: kPageSize}),
  ]);
  if (!ctx.isCurrent()) return;
  const href = (p, ap) => {
    const s = new URLSearchParams();
    if (p > 1) s.set('page', String(p));
    if (ap > 1) s.set('alerts_page', String(ap));
    const qs = s.toString();
    return `/changes${qs ? `?${qs}` : ''}`;
  };
  ctx.main.append(
    section('Alerts', (alerts.alerts || []).length ? table([
      {title: 'rank', class: 'num', cell: (a) => String(a.rank)},
      {title: 'alert', cell: (a) => a.alert},
      {title: 'network', cell: (a) => networkLink(a.network)},
      {title: 'entity', cell: (a) => (a.entity && a.entity.id ? entityLink(a.entity) : '')},
      {title: 'risk', class: 'num', cell: (a) => fixed(a.risk)},
      {title: 'reason', class: 'reason', cell: (a) => a.reason},
    ], alerts.alerts, {class: 'data', testid: 'alerts'}) : h('p', {class: 'muted'}, 'No alerts tonight.'),
    pager(Number(alerts.total), Number(alerts.offset), kPageSize, (ap) => href(page, ap))),
    section('Changes', h('p', {class: 'muted'}, changes.previous_run
      ? `Since the previous run, ${changes.previous_run}.` : 'The first run of its chain: nothing to compare with.'),
    (changes.changes || []).length ? table([
      {title: 'network', cell: (c) => networkLink(c.network)},
      {title: 'change', cell: (c) => c.change},
      {title: 'with', cell: (c) => (c.others || []).map((o) => [networkLink(o), ' '])},
      {title: 'members', class: 'num', cell: (c) => `${c.members_before} → ${c.members_after}`},
      {title: 'risk', class: 'num', cell: (c) => `${fixed(c.risk_before)} → ${fixed(c.risk_after)}`},
      {title: 'new evidence', class: 'num', cell: (c) => String(c.new_evidence)},
    ], changes.changes, {class: 'data', testid: 'changes'}) : null,
    pager(Number(changes.total), Number(changes.offset), kPageSize, (p) => href(p, alertsPage))));
}
