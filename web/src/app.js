// The web view's single page (docs/web.md): the router picks a page from
// the URL, the page asks the API and draws itself into <main>. No session:
// the sign-in form, and after sign-in the same URL again. A 404 from the
// API: the one not-found page, the same whatever the reason.

import './app.css';
import {api, ApiError} from './api.js';
import {clear, h, link, notice} from './dom.js';
import {match, route, startRouter} from './router.js';
import {signInPage} from './pages/sign_in.js';
import {notFoundPage} from './pages/not_found.js';
import {networksPage} from './pages/networks.js';
import {networkPage} from './pages/network.js';
import {entityPage} from './pages/entity.js';
import {pathPage} from './pages/path.js';
import {tracePage} from './pages/trace.js';
import {targetsPage} from './pages/targets.js';
import {changesPage} from './pages/changes.js';
import {searchPage} from './pages/search.js';

performance.mark('sourcetrace-app-start');

route(/^\/(?:networks\/?)?$/, [], networksPage);
route(/^\/network\/([^/]+)\/?$/, ['id'], networkPage, (p) => p.id);
route(/^\/entity\/([^/]+)\/([^/]+)\/?$/, ['kind', 'id'], entityPage, (p) => `${p.kind} ${p.id}`);
route(/^\/path\/?$/, [], pathPage, (p, q) => `${q.get('from') || ''} → ${q.get('to') || ''}`);
route(/^\/trace\/([^/]+)\/([^/]+)\/?$/, ['kind', 'id'], tracePage, (p) => `${p.kind} ${p.id}`);
route(/^\/targets\/?$/, [], targetsPage);
route(/^\/changes\/?$/, [], changesPage);
route(/^\/search\/?$/, [], searchPage, (p, q) => q.get('q') || '');

const state = {session: null, generation: 0, cleanups: []};
const header = document.getElementById('top');
const main = document.getElementById('main');

function drawHeader() {
  clear(header);
  const s = state.session;
  header.append(h('a', {href: '/', 'data-route': '', class: 'brand'}, 'sourcetrace'));
  if (!s) return;
  header.append(
    h('nav', {class: 'nav'}, link('/networks', 'Networks'), link('/targets', 'Targets'), link('/changes', 'Changes')),
    h('form', {class: 'search', action: '/search', 'data-route': '', role: 'search'},
      h('input', {name: 'q', type: 'search', placeholder: 'entity id (S…, W…, A…) or network', 'aria-label': 'search'})),
    h('span', {class: 'who', testid: 'who'},
      h('strong', null, s.token_id), ` (${s.role}${s.brands && s.brands.length ? `: ${s.brands.join(', ')}` : ''})`),
    h('button', {type: 'button', class: 'signout', testid: 'sign-out', on: {click: signOut}}, 'Sign out'));
}

async function signOut() {
  try {
    await api.del('session');
  } catch (e) {
    if (!(e instanceof ApiError) || !e.signedOut) { showError(e); return; }
  }
  state.session = null;
  render();
}

function runCleanups() {
  for (const fn of state.cleanups.splice(0)) {
    try { fn(); } catch (e) { /* a page's cleanup never stops the next page */ }
  }
}

function showError(e) {
  main.prepend(notice(e instanceof ApiError ? `${e.error}: ${e.message}` : String(e), 'error'));
}

// The sign-in form in place of the page; once signed in, the same URL again.
function showSignIn() {
  state.generation += 1;
  runCleanups();
  state.session = null;
  drawHeader();
  clear(main);
  signInPage(main, (session) => { state.session = session; render(); });
}

// What a page does with an error: 401 → sign in (then this URL again);
// 404 → the not-found page; others → the error, on the page.
function fail(e, requested, gen) {
  if (gen !== state.generation) return;
  if (e instanceof ApiError && e.signedOut) {
    showSignIn();
  } else if (e instanceof ApiError && e.notFound) {
    state.generation += 1;
    runCleanups();
    clear(main);
    notFoundPage(main, requested);
  } else {
    state.generation += 1;
    runCleanups();
    console.error(e);
    clear(main);
    main.append(h('section', {class: 'card', testid: 'error'}, h('h1', null, 'Something went wrong'),
      notice(e instanceof ApiError ? `${e.status} ${e.error}: ${e.message}` : String(e), 'error'),
      e instanceof ApiError && e.body.retry_after_ms ? h('p', null, `Try again in ${e.body.retry_after_ms} ms.`) : null));
  }
}

// Draws the page the URL names. Without a known session the page's own
// calls go out beside GET /api/session (a signed-out page answers 401 and
// shows the sign-in form), so a shared link costs no extra round trip.
function render() {
  const gen = ++state.generation;
  runCleanups();
  clear(main);
  main.append(h('p', {class: 'muted loading'}, 'Loading…'));
  const url = new URL(location.href);
  const found = match(url.pathname);
  const requested = found ? found.requested(found.params, url.searchParams) : url.pathname;
  let sessionReady;
  if (state.session) {
    drawHeader();
    sessionReady = Promise.resolve(state.session);
  } else {
    drawHeader();
    sessionReady = api.get('session').then((session) => {
      if (gen === state.generation) { state.session = session; drawHeader(); }
      return session;
    });
    sessionReady.catch((e) => fail(e, requested, gen));
  }
  if (!found) {
    sessionReady.then(() => { if (gen === state.generation) { clear(main); notFoundPage(main, url.pathname); } }, () => {});
    return;
  }
  const ctx = {
    main,
    params: found.params,
    query: url.searchParams,
    get session() { return state.session; },
    // Resolves with the session once GET /api/session has answered.
    sessionReady,
    isCurrent: () => gen === state.generation,
    onCleanup: (fn) => state.cleanups.push(fn),
    fail: (e) => fail(e, requested, gen),
    // An action on a drawn page (a click, a form): 401 signs in again,
    // anything else is told inside `where`.
    actionError: (e, where) => {
      if (e instanceof ApiError && e.signedOut) { fail(e, requested, gen); return; }
      const text = e instanceof ApiError ? (e.notFound ? 'Not found' : `${e.error}: ${e.message}`) : String(e);
      if (where) { clear(where); where.append(notice(text, 'error')); } else showError(e);
    },
  };
  Promise.resolve()
    .then(() => found.page(ctx))
    .catch((e) => fail(e, requested, gen));
}

startRouter(render);
render();
