// A report (one evidence row, docs/tables.md) sent through POST
// /api/reports, with its receipt shown. The report id is the client's own
// (resending it is a no-op), so it is made once per form and renewed
// after each report taken.

import {api} from '../api.js';
import {clear, h, notice, table} from '../dom.js';

const kSignals = ['takedown', 'test_buy_counterfeit', 'test_buy_genuine', 'complaint', 'enforcement_confirmed'];
const kKinds = ['seller', 'warehouse', 'account', 'brand'];

function newReportId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `web-${Date.now().toString(36)}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

export function reportForm(ctx, {brands = [], entity = null} = {}) {
  const isBrand = ctx.session.role === 'brand';
  const ownBrands = isBrand ? ctx.session.brands || [] : brands;
  const reportId = h('input', {name: 'report', value: newReportId(), size: 28, pattern: '[A-Za-z0-9._:\\-]{1,64}', required: true});
  const kind = h('select', {name: 'kind'}, kKinds.map((k) => h('option', {value: k}, k)));
  const id = h('input', {name: 'id', required: true, placeholder: 'S000123', size: 12, testid: 'report-entity'});
  const signal = h('select', {name: 'signal'}, kSignals.map((s) => h('option', {value: s}, s)));
  const listId = `brands-${Math.random().toString(36).slice(2)}`;
  const brand = isBrand
    ? h('select', {name: 'brand'}, ownBrands.map((b) => h('option', {value: b}, b)))
    : h('input', {name: 'brand', list: listId, size: 8, placeholder: 'B001'});
  const date = h('input', {name: 'reported_on', type: 'date', value: todayUtc(), max: todayUtc(), required: true});
  const out = h('div', {testid: 'report-receipt'});
  const button = h('button', {type: 'submit'}, 'Send report');
  const setEntity = (ref) => { kind.value = ref.kind; id.value = ref.id; };
  if (entity) setEntity(entity);
  const form = h('form', {class: 'report', testid: 'report-form', on: {submit: async (event) => {
    event.preventDefault();
    button.disabled = true;
    const report = {report: reportId.value.trim(), entity: {kind: kind.value, id: id.value.trim()},
      signal: signal.value, brand: brand.value.trim ? brand.value.trim() : brand.value, reported_on: date.value};
    try {
      const receipts = await api.post('reports', {reports: [report]});
      clear(out).append(table([
        {title: 'report', cell: (r) => r.report},
        {title: 'accepted', cell: (r) => (r.accepted ? 'yes' : 'no')},
        {title: 'reason', cell: (r) => r.reason || '—'},
        {title: 'journal line', class: 'num', cell: (r) => (r.accepted ? String(r.sequence) : '—')},
        {title: 'received', cell: (r) => r.received || '—'},
        {title: 'resent', cell: (r) => (r.resent ? 'yes (the first receipt)' : 'no')},
      ], receipts, {class: 'data compact'}));
      if (receipts.some((r) => r.accepted)) reportId.value = newReportId();
    } catch (e) {
      ctx.actionError(e, out);
      if (e.body && e.body.retry_after_ms) out.append(notice(`Try again in ${e.body.retry_after_ms} ms.`, 'warn'));
    } finally {
      button.disabled = false;
    }
  }}},
  isBrand ? null : h('datalist', {id: listId}, ownBrands.map((b) => h('option', {value: b}))),
  h('label', null, 'report id ', reportId),
  h('label', null, 'entity ', kind, ' ', id),
  h('label', null, 'signal ', signal),
  h('label', null, 'brand ', brand),
  h('label', null, 'reported on ', date),
  button, out);
  return {form, setEntity};
}
