// The target list (/targets?page=): ranked over every network the session sees.

import {api} from '../api.js';
import {entityLink, h, networkLink, pager, percent, section, table} from '../dom.js';

const kPageSize = 50;

export async function targetsPage(ctx) {
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') || '1', 10) || 1);
  const offset = (page - 1) * kPageSize;
  const answer = await api.get('targets', {offset, limit: kPageSize});
  if (!ctx.isCurrent()) return;
  ctx.main.append(section('Targets', (answer.targets || []).length ? table([
    {title: 'rank', class: 'num', cell: (t) => `#${t.rank}`},
    {title: 'network', cell: (t) => networkLink(t.network)},
    {title: 'entity', cell: (t) => entityLink(t.entity)},
    {title: 'role', cell: (t) => t.role_hint},
    {title: 'impact', class: 'num', cell: (t) => percent(t.impact)},
    {title: 'marginal', class: 'num', cell: (t) => percent(t.marginal)},
    {title: 'reason', class: 'reason', cell: (t) => t.reason},
  ], answer.targets, {class: 'data', testid: 'targets'}) : h('p', {class: 'muted'}, 'No targets.'),
  pager(Number(answer.total), Number(answer.offset ?? offset), kPageSize,
    (p) => (p > 1 ? `/targets?page=${p}` : '/targets'))));
}
