// Status page: DOM and time helpers. Text always goes in as textContent, never as HTML.

/** el('div.a.b', { title: 'x', onclick: fn }, child, 'text', ...) — text is always textContent. */
export function el(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = document.createElement(tag || 'div');
  if (classes.length) node.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}
export const $ = (id) => document.getElementById(id);

export function clock(ms) {
  if (!ms) return '—';
  const d = new Date(ms);
  const sameDay = new Date().toDateString() === d.toDateString();
  const t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return sameDay ? t : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${t}`;
}

export function ago(ms, now = Date.now()) {
  if (!ms) return '';
  let s = Math.round((now - ms) / 1000);
  const future = s < 0;
  s = Math.abs(s);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86400 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  if (s < 1) return 'now';
  return future ? `in ${text}` : `${text} ago`;
}

/** A <time> that the ticker keeps saying "5m ago" on. */
export function timeEl(ms, mode = 'ago') {
  if (!ms) return el('span.muted', {}, '—');
  return el('time', { datetime: new Date(ms).toISOString(), title: new Date(ms).toLocaleString(), dataset: { at: String(ms), mode } }, mode === 'clock' ? clock(ms) : ago(ms));
}

export function pill(kind, text) {
  return el(`span.pill.${kind}`, {}, text);
}

export function fmtMs(ms) {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
