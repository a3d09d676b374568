// An entity by id (/search?q=ID): asks for it as a seller, a warehouse and
// an account, and a network id as a network; links to whichever exists.
// Nothing found is the not-found page, the same as any other.

import {api, ApiError} from '../api.js';
import {entityLink, h, networkLink, section} from '../dom.js';

const kKinds = ['seller', 'warehouse', 'account'];

async function exists(call) {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ApiError && (e.notFound || e.status === 400)) return null;
    throw e;
  }
}

export async function searchPage(ctx) {
  const q = (ctx.query.get('q') || '').trim();
  const form = h('form', {class: 'filters', action: '/search', 'data-route': ''},
    h('input', {name: 'q', type: 'search', value: q, placeholder: 'S000123, W000456, A000789 or N…', required: true}),
    h('button', {type: 'submit'}, 'Search'));
  if (!q) {
    ctx.main.append(section('Search', form));
    return;
  }
  const lookups = kKinds.map((kind) => exists(() => api.get('entity', {kind, id: q, offset: 0, limit: 1})));
  const isNetwork = /^N[0-9a-fA-F]{16}$/.test(q);
  if (isNetwork) lookups.push(exists(() => api.get('network', {id: q})));
  const found = await Promise.all(lookups);
  if (!ctx.isCurrent()) return;
  const hits = [];
  kKinds.forEach((kind, i) => {
    const e = found[i];
    if (e) hits.push(h('li', null, entityLink(e.entity), e.network ? [' in ', networkLink(e.network)] : ''));
  });
  if (isNetwork && found[kKinds.length]) hits.push(h('li', null, 'network ', networkLink(q)));
  if (!hits.length) throw new ApiError(404, {error: 'NotFound', message: ''});
  ctx.main.append(section('Search', form, h('ul', {class: 'hits', testid: 'search-hits'}, hits)));
}
