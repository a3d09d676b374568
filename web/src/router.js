// The page's own routes (docs/web.md, Pages): the path and query of
// location name the page, so every page is a link that can be shared.
// Links marked data-route are followed with history.pushState; everything
// else (the case-file download) is left to the browser.

const routes = [];
let onChange = () => {};

// pattern: a RegExp over the pathname whose groups are decoded into
// `names`; requested(params, query): what the page asked for, as the
// not-found page shows it.
export function route(pattern, names, page, requested = () => '') {
  routes.push({pattern, names, page, requested});
}

export function match(pathname) {
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params = {};
    try {
      r.names.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1] || ''); });
    } catch (e) {
      return null;  // a malformed %-escape: no such page
    }
    return {page: r.page, params, requested: r.requested};
  }
  return null;
}

export function navigate(href, {replace = false} = {}) {
  const url = new URL(href, location.href);
  if (url.origin !== location.origin) { location.assign(url.href); return; }
  if (replace) history.replaceState(null, '', url.pathname + url.search);
  else history.pushState(null, '', url.pathname + url.search);
  onChange();
}

export function startRouter(render) {
  onChange = render;
  window.addEventListener('popstate', () => onChange());
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = event.target.closest && event.target.closest('a[data-route]');
    if (!a || a.target) return;
    event.preventDefault();
    navigate(a.getAttribute('href'));
  });
  // A GET form marked data-route: its fields become the query of its action.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!form.matches || !form.matches('form[data-route]')) return;
    event.preventDefault();
    const q = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (String(value).trim() !== '') q.set(key, String(value).trim());
    const s = q.toString();
    navigate(form.getAttribute('action') + (s ? `?${s}` : ''));
  });
}
