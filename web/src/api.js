// The JSON API of docs/web.md. Every call goes with the session cookie
// (credentials 'same-origin'); an error answer is {"error": ..., ...} and is
// thrown as an ApiError carrying the status and that name.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.error = (body && body.error) || 'Unknown';
    this.body = body || {};
  }
  get signedOut() { return this.status === 401; }
  get notFound() { return this.status === 404; }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === '') continue;
    q.set(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function call(method, path, params, body) {
  const init = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
  if (body !== undefined) {
    // Every state-changing request says application/json (docs/web.md: CSRF).
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/${path}${query(params)}`, init);
  } catch (e) {
    throw new ApiError(0, {error: 'NetworkError', message: 'the server could not be reached'});
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  if (data === null) throw new ApiError(response.status, {error: 'BadAnswer', message: 'the answer was not JSON'});
  return data;
}

export const api = {
  get: (path, params) => call('GET', path, params),
  post: (path, body) => call('POST', path, undefined, body),
  del: (path) => call('DELETE', path, undefined, {}),
};

// A GET whose parameter may be above the server's limit: on BadRequest for
// that parameter, once more at the limit the server named.
export async function getWithin(path, params, parameter) {
  try {
    return await api.get(path, params);
  } catch (e) {
    if (e instanceof ApiError && e.error === 'BadRequest' && e.body.parameter === parameter &&
        Number(e.body.limit) > 0) {
      return api.get(path, {...params, [parameter]: Number(e.body.limit)});
    }
    throw e;
  }
}
