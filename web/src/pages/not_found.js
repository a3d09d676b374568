// The one not-found page. It is the same for a thing that does not exist
// and for one this session may not see (docs/web.md): nothing of the API's
// message is shown, only what the URL asked for.

import {h, link} from '../dom.js';

export function notFoundPage(main, requested) {
  main.append(h('section', {class: 'card not-found', testid: 'not-found'},
    h('h1', null, 'Not found'),
    h('p', null, 'There is nothing to show for ', h('code', {testid: 'not-found-id'}, requested || '(nothing)'), '.'),
    h('p', null, link('/networks', 'Back to the networks'))));
}
