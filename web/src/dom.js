// Building the page's DOM. Every data string goes in through a text node
// (createTextNode / textContent), never through innerHTML, so nothing the
// API returns can become markup.

// h('a', {href: '/x', class: 'y', dataset: {testid: 'z'}}, 'text', child, ...)
// Attributes named on* are refused: handlers go through `on`.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key === 'on') for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
      else if (key === 'testid') el.setAttribute('data-testid', value);
      else if (key === 'value') el.value = value;
      else if (key === 'checked') el.checked = Boolean(value);
      else if (key.startsWith('on')) throw new Error(`h: inline handler ${key}`);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// An in-app link: the router intercepts clicks on a[data-route].
export function link(href, ...children) {
  return h('a', {href, 'data-route': ''}, ...children);
}

// A table: columns [{title, cell(row) -> string | Node, class}].
export function table(columns, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', null, h('tr', null, columns.map((c) => h('th', {class: c.class}, c.title)))),
    h('tbody', null, rows.map((row) => h('tr', attrs.rowAttrs ? attrs.rowAttrs(row) : null,
      columns.map((c) => h('td', {class: c.class}, c.cell(row)))))));
}

export function section(title, ...children) {
  return h('section', {class: 'card'}, h('h2', null, title), ...children);
}

export function fixed(x, digits = 3) {
  return Number.isFinite(x) ? x.toFixed(digits) : '';
}

export function percent(x) {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '';
}

// Weights: units are whole numbers, amounts have two decimals.
export function amount(x) {
  if (!Number.isFinite(x)) return '';
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

export function entityKey(ref) {
  return `${ref.kind}:${ref.id}`;
}

export function entityHref(ref) {
  return `/entity/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.id)}`;
}

export function entityLink(ref) {
  return link(entityHref(ref), `${ref.kind} ${ref.id}`);
}

export function networkLink(id) {
  return id ? link(`/network/${encodeURIComponent(id)}`, id) : '';
}

// Pager for a page of `limit` rows at `offset` of `total`; `hrefFor(page)`.
export function pager(total, offset, limit, hrefFor) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return h('nav', {class: 'pager', testid: 'pager'},
    page > 1 ? link(hrefFor(page - 1), '‹ previous') : h('span', {class: 'muted'}, '‹ previous'),
    h('span', null, ` page ${page} of ${pages} (${total} in all) `),
    page < pages ? link(hrefFor(page + 1), 'next ›') : h('span', {class: 'muted'}, 'next ›'));
}

export function notice(text, kind = 'info') {
  return h('p', {class: `notice ${kind}`}, text);
}
