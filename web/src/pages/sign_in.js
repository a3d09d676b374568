// The sign-in form: the token goes in a password field and is POSTed as
// JSON to /api/session, which answers with the session cookie. The token
// is never put in a URL and the field is emptied once sent.

import {api, ApiError} from '../api.js';
import {h} from '../dom.js';

export function signInPage(main, signedIn) {
  const token = h('input', {type: 'password', name: 'token', autocomplete: 'current-password',
    required: true, testid: 'token', 'aria-label': 'token'});
  const message = h('p', {class: 'message', testid: 'sign-in-message', 'aria-live': 'polite'});
  const button = h('button', {type: 'submit', testid: 'sign-in-submit'}, 'Sign in');
  const form = h('form', {class: 'card sign-in', testid: 'sign-in', on: {submit: async (event) => {
    event.preventDefault();
    const secret = token.value.trim();
    token.value = '';
    if (!secret) return;
    button.disabled = true;
    message.textContent = '';
    try {
      signedIn(await api.post('session', {token: secret}));
    } catch (e) {
      button.disabled = false;
      if (e instanceof ApiError && e.status === 403) message.textContent = 'That token is not accepted (unknown or revoked).';
      else if (e instanceof ApiError) message.textContent = `${e.error}: ${e.message}`;
      else message.textContent = String(e);
    }
  }}},
  h('h1', null, 'Sign in'),
  h('p', null, 'Paste the token you were given. It stays in this form: the page keeps only a session cookie.'),
  h('label', null, 'Token ', token),
  button,
  message);
  main.append(form);
  token.focus();
}
