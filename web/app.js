// Coffer's web UI: one page application over the JSON API, no framework, no build step.
//
// Signing in trades an API token for a session cookie (HttpOnly: this script never sees
// it); the token is dropped once the server answers. Every change sends the session's
// CSRF token (X-CSRF-Token), which lives in memory only and is fetched again on load.
// Every page asks the API, so it shows exactly what the API lets the user see.
'use strict';

const state = { user: null, csrf: '', projects: null };
const PAGE_SIZE = 25;

// --- DOM ---------------------------------------------------------------------------------

// h('p', {class: 'x'}, 'text', child...): an element; text is always text, never HTML.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

// A labelled input with its error line (the server's words go there).
function field(label, input, hint) {
  input.id = input.id || nextId('f');
  const err = h('p', { class: 'error', id: input.id + '-error', role: 'alert' });
  input.setAttribute('aria-describedby', err.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input,
           hint ? h('span', { class: 'muted' }, hint) : null, err);
}

function setError(input, message) {
  const err = document.getElementById(input.id + '-error');
  if (err) err.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function link(href, text, attrs) {
  return h('a', { href, 'data-link': true, ...(attrs || {}) }, text);
}

function main() { return document.getElementById('main'); }

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
  m.focus();
}

function fmtTime(s) {
  const t = Number(s || 0);
  if (!t) return 'never';
  return new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// --- the API -----------------------------------------------------------------------------

// Calls the API with the session cookie; resolves to {status, body, headers}.
async function api(method, path, body, extraHeaders) {
  const headers = { Accept: 'application/json', ...(extraHeaders || {}) };
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== '/api/v1alpha/session') {
    state.user = null;
    navigate('/sign-in', true);
  }
  return { status: res.status, body: data, headers: res.headers };
}

const message = (r) => (r.body && r.body.message) || `the server answered ${r.status}`;
const enc = encodeURIComponent;

// The answer to a form's save: `onSaved(body)` on 200; a lost race (409 on an edit) says so
// at the top of the form and changes nothing; any other error goes next to its field.
function answerSave(r, editing, what, formAlert, placeError, onSaved) {
  if (r.status === 200) return onSaved(r.body);
  if (r.status === 409 && editing) {
    formAlert.replaceChildren(h('p', { class: 'alert', id: 'stale' },
      `Someone else saved this ${what} after you opened it, so nothing was changed. ` +
      'Reload the page to edit their version. (' + message(r) + ')'));
    formAlert.focus();
    return undefined;
  }
  return placeError(message(r));
}

async function projectsList() {
  if (state.projects) return state.projects;
  const out = [];
  for (let page = 1; page <= 50; page++) {
    const r = await api('GET', `/api/v1alpha/projects?page=${page}&page_size=100`);
    if (r.status !== 200) break;
    out.push(...r.body);
    if (r.headers.get('x-has-more') !== 'true') break;
  }
  state.projects = out;
  return out;
}

function projectName(id) {
  const p = (state.projects || []).find((x) => x.metadata.id === id);
  return p ? p.metadata.name : id;
}

// --- routing -----------------------------------------------------------------------------

const routes = [
  [/^\/sign-in$/, signInPage],
  [/^\/$/, () => secretsPage(null)],
  [/^\/secrets$/, () => secretsPage(null)],
  [/^\/secrets\/new$/, () => secretForm(null, null)],
  [/^\/secrets\/([^/]+)\/usage$/, (m) => usagePage(null, m[1])],
  [/^\/secrets\/([^/]+)$/, (m) => secretForm(null, m[1])],
  [/^\/projects$/, projectsPage],
  [/^\/projects\/([^/]+)$/, (m) => projectPage(m[1])],
  [/^\/projects\/([^/]+)\/secrets\/new$/, (m) => secretForm(m[1], null)],
  [/^\/projects\/([^/]+)\/secrets\/([^/]+)\/usage$/, (m) => usagePage(m[1], m[2])],
  [/^\/projects\/([^/]+)\/secrets\/([^/]+)$/, (m) => secretForm(m[1], m[2])],
  [/^\/projects\/([^/]+)\/targets$/, (m) => targetsPage(m[1])],
  [/^\/projects\/([^/]+)\/targets\/new$/, (m) => targetForm(m[1], null)],
  [/^\/projects\/([^/]+)\/targets\/([^/]+)$/, (m) => targetForm(m[1], m[2])],
  [/^\/audit$/, auditPage],
];

let flash = '';

function navigate(path, replace, note) {
  if (note) flash = note;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

async function render() {
  const path = location.pathname;
  if (!state.user && path !== '/sign-in') {
    history.replaceState(null, '', '/sign-in?next=' + enc(path));
  }
  drawHeader();
  const p = location.pathname;
  for (const [re, page] of routes) {
    const m = p.match(re);
    if (m) {
      const args = m.map((x, i) => (i ? decodeURIComponent(x) : x));
      try { await page(args); } catch (e) { show(h('p', { class: 'alert' }, String(e))); }
      return;
    }
  }
  notFound();
}

function notFound() {
  document.title = 'Not found — Coffer';
  show(h('h1', {}, 'Not found'),
       h('p', {}, 'There is nothing here, or nothing you may see.'),
       link('/secrets', 'Back to the secrets'));
}

function takeFlash() {
  const f = flash;
  flash = '';
  return f ? h('p', { class: 'notice', role: 'status' }, f) : null;
}

function drawHeader() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!state.user) { nav.replaceChildren(); who.replaceChildren(); return; }
  const here = location.pathname;
  const item = (href, text, prefix) =>
    link(href, text, (here === href || here.startsWith(prefix)) ? { 'aria-current': 'page' } : {});
  nav.replaceChildren(item('/secrets', 'Secrets', '/secrets/'),
                      item('/projects', 'Projects', '/projects/'),
                      item('/audit', 'Audit log', '/audit/'));
  who.replaceChildren(
    h('span', {}, `${state.user.name} (${state.user.org_role})`),
    h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

// --- sign in / out -----------------------------------------------------------------------

function signInPage() {
  document.title = 'Sign in — Coffer';
  const token = h('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'off',
                             required: true, spellcheck: 'false' });
  const form = h('form', { class: 'stack signin', novalidate: true },
    h('h1', {}, 'Sign in to Coffer'),
    h('p', { class: 'muted' }, 'Paste an API token (cft_…). It is exchanged for a session and ' +
      'not kept by the browser.'),
    field('API token', token),
    h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(token, '');
    const value = token.value;
    token.value = '';
    const res = await fetch('/api/v1alpha/session', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { Authorization: 'Token ' + value, Accept: 'application/json' },
    });
    let body = null;
    try { body = await res.json(); } catch (err) { body = null; }
    if (res.status !== 200) {
      setError(token, (body && body.message) || `the server answered ${res.status}`);
      token.focus();
      return;
    }
    state.user = body.user;
    state.csrf = body.csrf_token;
    state.projects = null;
    const next = new URLSearchParams(location.search).get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/secrets', true);
  });
  show(form);
  token.focus();
}

async function signOut() {
  await api('DELETE', '/api/v1alpha/session');
  state.user = null;
  state.csrf = '';
  state.projects = null;
  navigate('/sign-in', true);
}

// --- secrets lists -----------------------------------------------------------------------

function secretsBase(project) {
  return project ? `/api/v1/projects/${enc(project)}/secrets` : '/api/v1beta/secrets';
}

function secretPage(project, name) {
  return (project ? `/projects/${enc(project)}/secrets/` : '/secrets/') + enc(name);
}

// A paged table of secrets: name, description, env var names, file paths, last updated,
// last used and by which project. `tokens` is the stack of page tokens behind this page.
async function secretsTable(project, holder, tokens) {
  const token = tokens[tokens.length - 1] || '';
  const r = await api('GET', `${secretsBase(project)}?page_size=${PAGE_SIZE}&order=BY_NAME_ASC` +
                             (token ? `&page_token=${enc(token)}` : ''));
  if (r.status !== 200) {
    holder.replaceChildren(h('p', { class: 'alert' }, message(r)));
    return r.status;
  }
  const rows = r.body.secrets.map((s) => {
    const used = h('td', {}, fmtTime(s.metadata.checkout_at));
    if (Number(s.metadata.checkout_at)) lastUser(project, s.metadata.name, used);
    return h('tr', {},
      h('td', {}, link(secretPage(project, s.metadata.name), s.metadata.name)),
      h('td', {}, s.metadata.description || ''),
      h('td', { class: 'names' }, s.data.env_vars.map((v) => v.name).join(', ')),
      h('td', { class: 'names' }, s.data.files.map((f) => f.path).join(', ')),
      h('td', {}, fmtTime(s.metadata.update_time)),
      used);
  });
  const table = h('table', { id: 'secrets' },
    h('thead', {}, h('tr', {}, ['Name', 'Description', 'Environment variables', 'Files',
                                'Last updated', 'Last used'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 6, class: 'muted' },
                                                       'No secrets yet.'))));
  const pager = h('div', { class: 'pager' });
  if (tokens.length > 1) {
    pager.append(h('button', { type: 'button', onclick: () =>
      secretsTable(project, holder, tokens.slice(0, -1)) }, 'Previous page'));
  }
  pager.append(h('span', { class: 'muted' }, `Page ${tokens.length}`));
  if (r.body.next_page_token) {
    pager.append(h('button', { type: 'button', id: 'next-page', onclick: () =>
      secretsTable(project, holder, [...tokens, r.body.next_page_token]) }, 'Next page'));
  }
  holder.replaceChildren(table, pager);
  return 200;
}

// Fills `cell` with the last checkout's time and project (the usage list, newest first).
async function lastUser(project, name, cell) {
  const r = await api('GET', `${secretsBase(project)}/${enc(name)}/usage`);
  if (r.status !== 200 || !r.body.usage.length) return;
  await projectsList();
  const u = r.body.usage[0];
  cell.replaceChildren(fmtTime(u.time), h('br'),
    h('span', { class: 'muted' }, 'by ' + (u.project_id ? projectName(u.project_id) : 'a project')));
}

async function secretsPage() {
  document.title = 'Secrets — Coffer';
  const holder = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  show(takeFlash(),
       h('h1', {}, 'Organization secrets'),
       h('div', { class: 'toolbar' }, link('/secrets/new', 'New Secret', { class: 'button primary', id: 'new-secret' })),
       holder);
  await secretsTable(null, holder, ['']);
}

// --- the secret form (New Secret, edit, delete) ------------------------------------------

function readFileBase64(file) {
  return new Promise((resolve, reject) => {
    const fr = new FileReader();
    fr.onload = () => {
      const bytes = new Uint8Array(fr.result);
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) {
        bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      resolve(btoa(bin));
    };
    fr.onerror = () => reject(fr.error);
    fr.readAsArrayBuffer(file);
  });
}

// Env var rows (name, value) and file rows (path, upload), add and remove: the secret form's
// and a deployment target's credentials. `stored` ({env_vars, files}, or null for a new one)
// gives the rows to start with; such a row's empty value (no new file) keeps the stored one.
function credentialRows(stored) {
  // Env var rows: name and value; an existing row's empty value keeps the stored value.
  const envRows = h('div', { id: 'env-rows' });
  const envs = [];
  function addEnv(n, stored) {
    const nm = h('input', { type: 'text', class: 'env-name', autocomplete: 'off', value: n || '' });
    const val = h('input', { type: 'password', class: 'env-value', autocomplete: 'new-password',
                             placeholder: stored ? 'unchanged: leave empty to keep' : '' });
    const entry = { nm, val, stored: !!stored };
    const row = h('div', { class: 'row env-row' },
      field('Variable name', nm), field(stored ? 'New value' : 'Value', val),
      h('button', { type: 'button', class: 'remove', onclick: () => {
        envs.splice(envs.indexOf(entry), 1); row.remove(); } },
        'Remove', h('span', { class: 'skip' }, ' variable')));
    entry.row = row;
    envs.push(entry);
    envRows.append(row);
    return nm;
  }
  // File rows: path and an uploaded file; an existing row with no new file keeps its content.
  const fileRows = h('div', { id: 'file-rows' });
  const files = [];
  function addFile(p, stored) {
    const path = h('input', { type: 'text', class: 'file-path', autocomplete: 'off', value: p || '' });
    const up = h('input', { type: 'file', class: 'file-upload' });
    const entry = { path, up, stored: !!stored };
    const row = h('div', { class: 'row file-row' },
      field('File path', path), field(stored ? 'Replace with file' : 'Upload file', up),
      h('button', { type: 'button', class: 'remove', onclick: () => {
        files.splice(files.indexOf(entry), 1); row.remove(); } },
        'Remove', h('span', { class: 'skip' }, ' file')));
    entry.row = row;
    files.push(entry);
    fileRows.append(row);
    return path;
  }
  if (stored) {
    stored.env_vars.forEach((v) => addEnv(v.name, true));
    stored.files.forEach((f) => addFile(f.path, true));
  } else {
    addEnv('', false);
  }
  const fieldsets = [
    h('fieldset', {}, h('legend', {}, 'Environment variables'), envRows,
      h('button', { type: 'button', id: 'add-env', onclick: () => addEnv('', false).focus() },
        'Add environment variable')),
    h('fieldset', {}, h('legend', {}, 'Files'), fileRows,
      h('button', { type: 'button', id: 'add-file', onclick: () => addFile('', false).focus() },
        'Add file')),
  ];
  // {env_vars, files} as the API takes them (files base64).
  async function data() {
    const out = { env_vars: envs.map((e) => ({ name: e.nm.value.trim(), value: e.val.value })), files: [] };
    for (const f of files) {
      const file = f.up.files[0];
      out.files.push({ path: f.path.value.trim(), content: file ? await readFileBase64(file) : '' });
    }
    return out;
  }
  // The input a server error names: "env_vars[i].name|value", "files[i].path|content".
  function inputFor(f, i) {
    if (f.startsWith('env_vars[') && envs[i]) return f.endsWith('.value') ? envs[i].val : envs[i].nm;
    if (f.startsWith('files[') && files[i]) return f.endsWith('.content') ? files[i].up : files[i].path;
    return null;
  }
  return { fieldsets, data, inputFor };
}

// A server message "field: why" split into the field, its row index (-1 if none) and why;
// null when the message names no field.
function fieldError(msg) {
  const m = /^([a-z_.]+(?:\[(\d+)\])?(?:\.[a-z_]+)?): (.*)$/.exec(msg);
  if (!m) return null;
  return { f: m[1], i: m[2] === undefined ? -1 : Number(m[2]), text: m[3] };
}

async function secretForm(project, name) {
  const editing = name !== null;
  const where = project ? `project ${project}` : 'organization';
  document.title = (editing ? `Secret ${name}` : 'New Secret') + ' — Coffer';
  let current = null;
  let version = '';
  if (editing) {
    const r = await api('GET', `${secretsBase(project)}/${enc(name)}`);
    if (r.status === 404) return notFound();
    if (r.status !== 200) return show(h('p', { class: 'alert' }, message(r)));
    current = r.body;
    version = r.headers.get('ETag') || '';
  } else if (project) {
    const r = await api('GET', `/api/v1alpha/projects/${enc(project)}`);
    if (r.status === 404) return notFound();
  }
  const projects = project ? [] : await projectsList();

  const nameInput = h('input', { type: 'text', id: 'secret-name', name: 'name', autocomplete: 'off',
                                 value: editing ? current.metadata.name : '' });
  const descInput = h('input', { type: 'text', id: 'secret-description', name: 'description',
                                 value: editing ? current.metadata.description : '' });
  const formAlert = h('div', { id: 'form-alert', role: 'alert' });

  const creds = credentialRows(editing ? current.data : null);

  // The access policy (organization secrets only).
  let policy = null;
  const policyInputs = {};
  if (!project) {
    const cfg = (current && current.org_config) || { projects_access: 'ALL', project_ids: [],
      debug_access: 'JOB_DEBUG_YES', attach_access: 'JOB_ATTACH_YES' };
    const radio = (value, text) => {
      const r = h('input', { type: 'radio', name: 'projects_access', value, id: 'access-' + value.toLowerCase(),
                             checked: cfg.projects_access === value });
      policyInputs[value] = r;
      return h('label', { class: 'choice', for: r.id }, r, text);
    };
    const chosen = h('div', { class: 'projects', id: 'chosen-projects' },
      projects.length ? projects.map((p) => {
        const c = h('input', { type: 'checkbox', class: 'project-choice', value: p.metadata.id,
                               id: nextId('project'), checked: cfg.project_ids.includes(p.metadata.id) });
        return h('label', { class: 'choice', for: c.id }, c, p.metadata.name);
      }) : h('span', { class: 'muted' }, 'No projects you can see.'));
    const debug = h('input', { type: 'checkbox', id: 'debug-allowed', checked: cfg.debug_access === 'JOB_DEBUG_YES' });
    const attach = h('input', { type: 'checkbox', id: 'attach-allowed', checked: cfg.attach_access === 'JOB_ATTACH_YES' });
    policyInputs.debug = debug;
    policyInputs.attach = attach;
    policyInputs.chosen = chosen;
    const policyError = h('p', { class: 'error', id: 'policy-error', role: 'alert' });
    policyInputs.error = policyError;
    const sync = () => { chosen.hidden = !policyInputs.ALLOWED.checked; };
    policy = h('fieldset', { id: 'access-policy' }, h('legend', {}, 'Access policy'),
      h('div', { class: 'choices', role: 'radiogroup', 'aria-label': 'Projects' },
        h('span', { class: 'muted' }, 'Projects'),
        radio('ALL', 'All projects'), radio('NONE', 'No projects'),
        radio('ALLOWED', 'Chosen projects'), chosen),
      h('label', { class: 'choice', for: debug.id }, debug, 'Debug sessions allowed'),
      h('label', { class: 'choice', for: attach.id }, attach, 'Attach to jobs allowed'),
      policyError);
    policy.addEventListener('change', sync);
    sync();
  }

  const save = h('button', { type: 'submit', class: 'primary', id: 'save-secret' }, 'Save secret');
  const actions = h('div', { class: 'toolbar' }, save,
    link(project ? `/projects/${enc(project)}` : '/secrets', 'Cancel'));
  const confirmBox = h('div', {});
  if (editing) {
    actions.append(h('button', { type: 'button', class: 'danger', id: 'delete-secret', onclick: () => {
      const yes = h('button', { type: 'button', class: 'danger', id: 'confirm-delete', onclick: doDelete },
                    `Delete ${name}`);
      confirmBox.replaceChildren(h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': 'Confirm delete' },
        h('span', {}, `Delete the secret ${name}? Jobs will no longer get it.`), yes,
        h('button', { type: 'button', onclick: () => confirmBox.replaceChildren() }, 'Keep it')));
      yes.focus();
    } }, 'Delete…'));
    actions.append(link(secretPage(project, name) + '/usage', 'Usage'));
  }

  const form = h('form', { class: 'stack', id: 'secret-form', novalidate: true },
    h('h1', {}, editing ? `Secret ${name}` : (project ? 'Add a project secret' : 'New Secret')),
    h('p', { class: 'muted' }, editing
      ? `In the ${where}. Values are never shown: a value left empty keeps the stored one.`
      : `In the ${where}.`),
    formAlert,
    field('Name', nameInput), field('Description', descInput, 'optional'),
    ...creds.fieldsets,
    policy, actions, confirmBox);

  function clearErrors() {
    formAlert.replaceChildren();
    form.querySelectorAll('input').forEach((i) => { if (i.id) setError(i, ''); });
    if (policyInputs.error) policyInputs.error.textContent = '';
  }

  // The server's message "field: why" goes next to that field; anything else on top.
  function placeError(msg) {
    const m = fieldError(msg);
    let input = null;
    let text = msg;
    if (m) {
      const { f, i } = m;
      text = m.text;
      if (f === 'metadata.name') input = nameInput;
      else if (f === 'metadata.description') input = descInput;
      else if (f.startsWith('data.')) input = creds.inputFor(f.slice(5), i);
      if (!input && f.startsWith('org_config') && policyInputs.error) {
        policyInputs.error.textContent = text;
        return;
      }
      if (!input) text = msg;
    }
    if (input) { setError(input, text); input.focus(); return; }
    if (policyInputs.error && /polic|project/i.test(msg) && !/not found/.test(msg)) {
      policyInputs.error.textContent = msg;
      return;
    }
    formAlert.replaceChildren(h('p', { class: 'alert' }, msg));
  }

  async function body() {
    const out = {
      apiVersion: project ? 'v1' : 'v1beta', kind: project ? 'ProjectSecret' : 'Secret',
      metadata: { name: nameInput.value.trim(), description: descInput.value },
      data: await creds.data(),
    };
    if (!project) {
      const access = ['ALL', 'NONE', 'ALLOWED'].find((v) => policyInputs[v].checked) || 'ALL';
      out.org_config = {
        projects_access: access,
        project_ids: access === 'ALLOWED'
          ? [...policyInputs.chosen.querySelectorAll('input:checked')].map((c) => c.value) : [],
        debug_access: policyInputs.debug.checked ? 'JOB_DEBUG_YES' : 'JOB_DEBUG_NO',
        attach_access: policyInputs.attach.checked ? 'JOB_ATTACH_YES' : 'JOB_ATTACH_NO',
      };
    }
    return out;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    save.disabled = true;
    try {
      const b = await body();
      // A new value for a row with no stored value must be given (the server says so too).
      const r = editing
        ? await api('PATCH', `${secretsBase(project)}/${enc(name)}`, b, version ? { 'If-Match': version } : {})
        : await api('POST', secretsBase(project), b);
      answerSave(r, editing, 'secret', formAlert, placeError, (body) => {
        const dest = project ? `/projects/${enc(project)}` : '/secrets';
        navigate(dest, false, `Saved secret ${body.metadata.name}.`);
      });
    } finally {
      save.disabled = false;
    }
  });

  async function doDelete() {
    const r = await api('DELETE', `${secretsBase(project)}/${enc(name)}`);
    if (r.status === 200) {
      navigate(project ? `/projects/${enc(project)}` : '/secrets', false, `Deleted secret ${name}.`);
      return;
    }
    confirmBox.replaceChildren();
    formAlert.replaceChildren(h('p', { class: 'alert' }, message(r)));
  }

  formAlert.tabIndex = -1;
  show(form);
  nameInput.focus();
}

// --- usage ---------------------------------------------------------------------------------

async function usagePage(project, name) {
  document.title = `Usage of ${name} — Coffer`;
  const r = await api('GET', `${secretsBase(project)}/${enc(name)}/usage`);
  if (r.status === 404) return notFound();
  if (r.status !== 200) return show(h('p', { class: 'alert' }, message(r)));
  await projectsList();
  const rows = r.body.usage.map((u) => h('tr', {},
    h('td', {}, u.project_id ? projectName(u.project_id) : '(another project)'),
    h('td', { class: 'names' }, u.job_id), h('td', { class: 'names' }, u.pipeline_id),
    h('td', { class: 'names' }, u.workflow_id), h('td', {}, fmtTime(u.time)), h('td', {}, u.version)));
  show(h('h1', {}, `Usage of ${name}`),
       h('p', {}, link(secretPage(project, name), `Back to ${name}`)),
       h('table', { id: 'usage' },
         h('thead', {}, h('tr', {}, ['Project', 'Job', 'Pipeline', 'Workflow', 'When', 'Version']
           .map((t) => h('th', { scope: 'col' }, t)))),
         h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 6, class: 'muted' },
                                                            'Never checked out.')))));
}

// --- projects ------------------------------------------------------------------------------

async function projectsPage() {
  document.title = 'Projects — Coffer';
  state.projects = null;
  const projects = await projectsList();
  show(h('h1', {}, 'Projects'),
       h('table', { id: 'projects' },
         h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Repository'))),
         h('tbody', {}, projects.length ? projects.map((p) => h('tr', {},
           h('td', {}, link(`/projects/${enc(p.metadata.name)}`, p.metadata.name)),
           h('td', { class: 'names' }, p.spec.repository.url))) :
           h('tr', {}, h('td', { colspan: 2, class: 'muted' }, 'No projects you can see.')))));
}

// A project's Settings: its secrets (Add) and its fork pull request allow-list.
async function projectPage(project) {
  const r = await api('GET', `/api/v1alpha/projects/${enc(project)}`);
  if (r.status === 404) return notFound();
  if (r.status !== 200) return show(h('p', { class: 'alert' }, message(r)));
  const p = r.body;
  document.title = `${p.metadata.name} settings — Coffer`;
  const holder = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const fork = p.spec.repository.forked_pull_requests;
  const allowed = h('input', { type: 'text', id: 'fork-secrets', value: fork.allowed_secrets.join(', ') });
  const contributors = h('input', { type: 'text', id: 'fork-contributors', value: fork.allowed_contributors.join(', ') });
  const forkAlert = h('div', { role: 'status' });
  const forkForm = h('form', { class: 'stack', id: 'fork-form', novalidate: true },
    h('h2', {}, 'Fork pull requests'),
    h('p', { class: 'muted' }, 'Secrets exposed to pipelines of pull requests from forks, and the ' +
      'contributors whose fork pull requests get them (comma-separated; empty: none).'),
    forkAlert,
    field('Secrets allowed for fork pull requests', allowed),
    field('Allowed contributors', contributors),
    h('div', {}, h('button', { type: 'submit', id: 'save-fork' }, 'Save allow-list')));
  forkForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(allowed, '');
    setError(contributors, '');
    forkAlert.replaceChildren();
    const split = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
    const b = { apiVersion: 'v1alpha', kind: 'Project',
      metadata: { name: p.metadata.name, description: p.metadata.description },
      spec: { repository: { url: p.spec.repository.url, forked_pull_requests: {
        allowed_secrets: split(allowed.value), allowed_contributors: split(contributors.value) } } } };
    const u = await api('PUT', `/api/v1alpha/projects/${enc(p.metadata.name)}`, b);
    if (u.status === 200) return forkAlert.replaceChildren(h('p', { class: 'notice' }, 'Saved the allow-list.'));
    // The server's words next to the field they name; anything else above the form.
    const msg = message(u);
    if (/allowed_contributors/.test(msg)) setError(contributors, msg);
    else if (/allowed_secrets/.test(msg)) setError(allowed, msg);
    else forkAlert.replaceChildren(h('p', { class: 'alert' }, msg));
  });
  show(takeFlash(),
       h('h1', {}, `${p.metadata.name}: Settings`),
       h('nav', { class: 'tabs', 'aria-label': 'Project settings' },
         link(`/projects/${enc(project)}`, 'Secrets', { 'aria-current': 'page' }),
         link(`/projects/${enc(project)}/targets`, 'Deployment targets')),
       h('h2', {}, 'Secrets'),
       h('div', { class: 'toolbar' }, link(`/projects/${enc(project)}/secrets/new`, 'Add', { class: 'button primary', id: 'add-project-secret' })),
       holder, forkForm);
  await secretsTable(project, holder, ['']);
}

// Deployment targets of a project: credentials (names only), rules, cordon.
async function targetsPage(project) {
  const pr = await api('GET', `/api/v1alpha/projects/${enc(project)}`);
  if (pr.status === 404) return notFound();
  const id = pr.body.metadata.id;
  const r = await api('GET', `/api/v1alpha/deployment_targets?project_id=${enc(id)}&include_secrets=true`);
  if (r.status !== 200) return show(h('p', { class: 'alert' }, message(r)));
  document.title = `${project} deployment targets — Coffer`;
  const list = Array.isArray(r.body) ? r.body : (r.body.deployment_targets || []);
  const alert = h('div', { role: 'status' });
  const rules = (rs) => (rs || []).map((x) => [x.type, x.match_mode, x.pattern].filter(Boolean).join(' ')).join('; ');
  const rows = list.map((t) => {
    const active = t.active !== false && t.state !== 'CORDONED';
    return h('tr', {},
      h('td', {}, link(`/projects/${enc(project)}/targets/${enc(t.id)}`, t.name)), h('td', {}, t.description || ''),
      h('td', { class: 'names' }, (t.env_vars || []).map((v) => v.name).concat((t.files || []).map((f) => f.path)).join(', ')),
      h('td', {}, rules(t.subject_rules)), h('td', {}, rules(t.object_rules)),
      h('td', {}, active ? 'active' : 'cordoned'),
      h('td', {}, h('button', { type: 'button', class: 'cordon', onclick: async () => {
        const u = await api('PATCH', `/api/v1alpha/deployment_targets/${enc(t.id)}/${active ? 'deactivate' : 'activate'}`);
        if (u.status === 200) targetsPage(project);
        else alert.replaceChildren(h('p', { class: 'alert' }, message(u)));
      } }, active ? 'Cordon' : 'Uncordon')));
  });
  show(takeFlash(), h('h1', {}, `${project}: Settings`),
       h('nav', { class: 'tabs', 'aria-label': 'Project settings' },
         link(`/projects/${enc(project)}`, 'Secrets'),
         link(`/projects/${enc(project)}/targets`, 'Deployment targets', { 'aria-current': 'page' })),
       h('h2', {}, 'Deployment targets'), alert,
       h('div', { class: 'toolbar' }, link(`/projects/${enc(project)}/targets/new`, 'New deployment target',
                                         { class: 'button primary', id: 'new-target' })),
       h('table', { id: 'targets' },
         h('thead', {}, h('tr', {}, ['Name', 'Description', 'Credentials', 'Who (subject rules)',
           'What (object rules)', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
         h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 7, class: 'muted' },
                                                            'No deployment targets.')))));
}

// Rows of `make(row, value)` with add and remove: a target's subject and object rules.
function ruleRows(id, legend, addText, make, initial) {
  const holder = h('div', { id });
  const rows = [];
  function add(value) {
    const entry = {};
    const row = h('div', { class: 'row rule-row' });
    const first = make(entry, value || {});
    entry.row = row;
    row.append(...entry.fields,
      h('button', { type: 'button', class: 'remove', onclick: () => {
        rows.splice(rows.indexOf(entry), 1); row.remove(); } },
        'Remove', h('span', { class: 'skip' }, ' rule')));
    rows.push(entry);
    holder.append(row);
    return first;
  }
  (initial || []).forEach((v) => add(v));
  const fieldset = h('fieldset', { id: id + '-set' }, h('legend', {}, legend), holder,
    h('button', { type: 'button', id: id + '-add', onclick: () => add().focus() }, addText));
  return { fieldset, rows };
}

function choice(cls, options, value) {
  return h('select', { class: cls }, options.map((o) => h('option', { value: o, selected: o === value }, o)));
}

// A project's deployment target: New, edit (credentials never shown), delete.
async function targetForm(project, id) {
  const editing = id !== null;
  const pr = await api('GET', `/api/v1alpha/projects/${enc(project)}`);
  if (pr.status === 404) return notFound();
  if (pr.status !== 200) return show(h('p', { class: 'alert' }, message(pr)));
  let current = null;
  if (editing) {
    const r = await api('GET', `/api/v1alpha/deployment_targets/${enc(id)}?project_id=` +
                               `${enc(pr.body.metadata.id)}&include_secrets=true`);
    // Another project's target is not this project's page (as the server answers it).
    if (r.status === 404 || (r.status === 200 && r.body.project_id !== pr.body.metadata.id)) return notFound();
    if (r.status !== 200) return show(h('p', { class: 'alert' }, message(r)));
    current = r.body;
  }
  document.title = (editing ? `Deployment target ${current.name}` : 'New deployment target') + ' — Coffer';
  const back = `/projects/${enc(project)}/targets`;
  const text = (fid, v) => h('input', { type: 'text', id: fid, autocomplete: 'off', value: v || '' });
  const nameInput = text('target-name', current && current.name);
  const descInput = text('target-description', current && current.description);
  const urlInput = text('target-url', current && current.url);
  const marks = [1, 2, 3].map((n) => text('target-bookmark' + n, current && current[`bookmark_parameter${n}`]));
  const formAlert = h('div', { id: 'form-alert', role: 'alert', tabindex: -1 });

  // USER rules pick from the organization's users; who may not list them (a project Admin
  // who is no org Owner or Admin) types the user's id instead.
  const users = await usersList();
  const subjects = ruleRows('subject-rules', 'Who may deploy (subject rules)', 'Add subject rule', (e, v) => {
    e.type = choice('subject-type', ['ANY', 'AUTO', 'USER', 'ROLE'], v.type || 'USER');
    const uid = v.type === 'USER' ? v.subject_id || '' : '';
    if (users) {
      e.user = h('select', { class: 'subject-user' }, h('option', { value: '' }, 'choose a user'),
        users.map((u) => h('option', { value: u.id, selected: u.id === uid }, userLabel(u))));
      if (uid && !users.some((u) => u.id === uid)) {
        e.user.append(h('option', { value: uid, selected: true }, `${uid} (no such user)`));
      }
    } else {
      e.user = h('input', { type: 'text', class: 'subject-user', autocomplete: 'off', value: uid });
    }
    e.role = h('input', { type: 'text', class: 'subject-role', autocomplete: 'off',
                          value: v.type === 'ROLE' ? v.subject_id || '' : '' });
    const userField = field(users ? 'User' : 'User ID', e.user);
    const roleField = field('Role name', e.role);
    const sync = () => { userField.hidden = e.type.value !== 'USER'; roleField.hidden = e.type.value !== 'ROLE'; };
    e.type.addEventListener('change', sync);
    sync();
    e.id = () => (e.type.value === 'USER' ? e.user : e.role);
    e.fields = [field('Subject type', e.type), userField, roleField];
    return e.type;
  }, current ? current.subject_rules : [{ type: 'ANY' }]);
  const objects = ruleRows('object-rules', 'What may be deployed (object rules)', 'Add object rule', (e, v) => {
    e.type = choice('object-type', ['BRANCH', 'TAG', 'PR'], v.type || 'BRANCH');
    e.mode = choice('object-mode', ['ALL', 'EXACT', 'REGEX'], v.match_mode || 'ALL');
    e.pattern = h('input', { type: 'text', class: 'object-pattern', autocomplete: 'off', value: v.pattern || '' });
    e.fields = [field('Ref type', e.type), field('Match', e.mode), field('Pattern', e.pattern, 'for EXACT and REGEX')];
    return e.type;
  }, current ? current.object_rules : [{ type: 'BRANCH', match_mode: 'ALL' }]);
  const creds = credentialRows(current ? { env_vars: current.env_vars || [], files: current.files || [] } : null);

  const save = h('button', { type: 'submit', class: 'primary', id: 'save-target' }, 'Save target');
  const actions = h('div', { class: 'toolbar' }, save, link(back, 'Cancel'));
  const confirmBox = h('div', {});
  if (editing) {
    actions.append(h('button', { type: 'button', class: 'danger', id: 'delete-target', onclick: () => {
      const yes = h('button', { type: 'button', class: 'danger', id: 'confirm-delete', onclick: doDelete },
                    `Delete ${current.name}`);
      confirmBox.replaceChildren(h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': 'Confirm delete' },
        h('span', {}, `Delete the deployment target ${current.name} and its credentials?`), yes,
        h('button', { type: 'button', onclick: () => confirmBox.replaceChildren() }, 'Keep it')));
      yes.focus();
    } }, 'Delete…'));
  }
  const form = h('form', { class: 'stack', id: 'target-form', novalidate: true },
    h('h1', {}, editing ? `Deployment target ${current.name}` : 'New deployment target'),
    h('p', { class: 'muted' }, `In project ${project}.` + (editing
      ? ' Credential values are never shown: a value left empty keeps the stored one.' : '')),
    formAlert,
    field('Name', nameInput), field('Description', descInput, 'optional'),
    field('URL', urlInput, 'optional'),
    h('fieldset', {}, h('legend', {}, 'Bookmarks (optional)'),
      ...marks.map((m, i) => field(`Bookmark ${i + 1}`, m))),
    subjects.fieldset, objects.fieldset, ...creds.fieldsets, actions, confirmBox);

  function placeError(msg) {
    const m = fieldError(msg);
    let input = null;
    if (m) {
      const { f, i } = m;
      const rule = (list) => list.rows[i] || null;
      if (f === 'name') input = nameInput;
      else if (f === 'description') input = descInput;
      else if (f === 'url') input = urlInput;
      else if (/^bookmark_parameter[123]$/.test(f)) input = marks[Number(f.slice(-1)) - 1];
      else if (f.startsWith('subject_rules[') && rule(subjects)) input = f.endsWith('.type') ? rule(subjects).type : rule(subjects).id();
      else if (f.startsWith('object_rules[') && rule(objects)) {
        const r = rule(objects);
        input = f.endsWith('.type') ? r.type : (f.endsWith('.match_mode') ? r.mode : r.pattern);
      } else input = creds.inputFor(f, i);
    }
    if (input) { setError(input, m.text); input.focus(); return; }
    formAlert.replaceChildren(h('p', { class: 'alert' }, msg));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formAlert.replaceChildren();
    form.querySelectorAll('input, select').forEach((i) => { if (i.id) setError(i, ''); });
    save.disabled = true;
    try {
      const b = {
        name: nameInput.value.trim(), description: descInput.value, url: urlInput.value.trim(),
        project_id: pr.body.metadata.id,
        subject_rules: subjects.rows.map((r) => ({ type: r.type.value,
          subject_id: ['USER', 'ROLE'].includes(r.type.value) ? r.id().value.trim() : '' })),
        object_rules: objects.rows.map((r) => ({ type: r.type.value, match_mode: r.mode.value, pattern: r.pattern.value })),
        ...(await creds.data()),
      };
      marks.forEach((m, i) => { b[`bookmark_parameter${i + 1}`] = m.value; });
      if (editing) b.update_time = current.update_time;
      const r = editing
        ? await api('PATCH', `/api/v1alpha/deployment_targets/${enc(current.id)}`, b)
        : await api('POST', '/api/v1alpha/deployment_targets', b);
      answerSave(r, editing, 'target', formAlert, placeError, (body) => {
        navigate(back, false, `Saved deployment target ${body.name}.`);
      });
    } finally {
      save.disabled = false;
    }
  });

  async function doDelete() {
    const r = await api('DELETE', `/api/v1alpha/deployment_targets/${enc(current.id)}`);
    if (r.status === 200) {
      navigate(back, false, `Deleted deployment target ${current.name}.`);
      return;
    }
    confirmBox.replaceChildren();
    formAlert.replaceChildren(h('p', { class: 'alert' }, message(r)));
  }

  show(form);
  nameInput.focus();
}

// --- audit ---------------------------------------------------------------------------------

const AUDIT_ACTIONS = [
  'secret.create', 'secret.update', 'secret.delete', 'secret.restore', 'secret.rollback',
  'secret.destroy', 'secret.version.destroy', 'secret.purge', 'secret.checkout',
  'project.create', 'project.update', 'project.delete', 'deployment_target.create',
  'deployment_target.update', 'deployment_target.delete', 'deployment_target.cordon',
  'deployment_target.uncordon', 'job.open', 'job.refuse', 'job.finish', 'token.revoke',
  'user.delete', 'session.start', 'session.end', 'key.rotate', 'key.retire', 'org.settings.update',
];

// The organization's users ({id, name, org_role}), or null when the API refuses the list
// (it is for Owners and Admins).
async function usersList() {
  const r = await api('GET', '/api/v1alpha/users');
  return r.status === 200 ? r.body.users : null;
}

const userLabel = (u) => `${u.name} (${u.org_role})`;

// The audit log, filtered and paged by the server: the URL carries the API's filters
// (resource_id, actor_id, action) and, for the form, the secret's name and project.
async function auditPage() {
  document.title = 'Audit log — Coffer';
  const params = new URLSearchParams(location.search);
  const want = { resource_id: params.get('resource_id') || '', actor_id: params.get('actor_id') || '',
                 action: params.get('action') || '' };
  // The old page goes at once (pushState and this run in one task), the filters follow.
  show(h('h1', {}, 'Audit log'), h('p', { class: 'muted' }, 'Loading…'));
  const [users, projects] = await Promise.all([usersList(), projectsList()]);
  const fSecret = h('input', { type: 'text', id: 'filter-secret', name: 'secret', autocomplete: 'off',
                               value: params.get('secret') || '' });
  const fProject = h('select', { id: 'filter-project', name: 'project' },
    h('option', { value: '' }, 'an organization secret'),
    projects.map((p) => h('option', { value: p.metadata.name, selected: p.metadata.name === params.get('project') },
                          `a secret of project ${p.metadata.name}`)));
  const fActor = h('select', { id: 'filter-actor', name: 'actor' }, h('option', { value: '' }, 'anyone'),
    (users || []).map((u) => h('option', { value: u.id, selected: u.id === want.actor_id }, userLabel(u))));
  if (want.actor_id && !(users || []).some((u) => u.id === want.actor_id)) {
    fActor.append(h('option', { value: want.actor_id, selected: true }, want.actor_id));
  }
  const actions = AUDIT_ACTIONS.includes(want.action) || !want.action ? AUDIT_ACTIONS : [...AUDIT_ACTIONS, want.action];
  const fAction = h('select', { id: 'filter-action', name: 'action' }, h('option', { value: '' }, 'any action'),
    actions.map((a) => h('option', { value: a, selected: a === want.action }, a)));
  const holder = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const form = h('form', { class: 'toolbar', id: 'audit-filter', novalidate: true },
    field('Secret', fSecret, 'its name'), field('Which is', fProject), field('Actor', fActor),
    field('Action', fAction), h('button', { type: 'submit' }, 'Filter'),
    (want.resource_id || want.actor_id || want.action) ? link('/audit', 'Clear filters', { id: 'clear-filters' }) : null);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(fSecret, '');
    const q = new URLSearchParams();
    const name = fSecret.value.trim();
    if (name) {
      // The log names a secret by its id: ask for it as the secret's own page does.
      const r = await api('GET', `${secretsBase(fProject.value)}/${enc(name)}`);
      if (r.status !== 200) { setError(fSecret, message(r)); fSecret.focus(); return; }
      q.set('resource_id', r.body.metadata.id);
      q.set('secret', name);
      if (fProject.value) q.set('project', fProject.value);
    } else if (want.resource_id && !params.get('secret')) {
      q.set('resource_id', want.resource_id);  // a resource chosen from a row stays chosen
    }
    if (fActor.value) q.set('actor_id', fActor.value);
    if (fAction.value) q.set('action', fAction.value);
    navigate('/audit' + (q.toString() ? '?' + q : ''));
  });
  const chosen = want.resource_id && !params.get('secret')
    ? h('p', { class: 'muted', id: 'resource-filter' }, `Only the events of resource ${want.resource_id}.`) : null;
  show(h('h1', {}, 'Audit log'), form, chosen, holder);
  await auditTable(want, holder, ['']);
}

// One page of the filtered log; `tokens` is the stack of page tokens behind it.
async function auditTable(want, holder, tokens) {
  const q = new URLSearchParams({ page_size: '100' });
  for (const [k, v] of Object.entries(want)) if (v) q.set(k, v);
  const token = tokens[tokens.length - 1];
  if (token) q.set('page_token', token);
  const r = await api('GET', '/api/v1alpha/audit?' + q);
  if (r.status !== 200) { holder.replaceChildren(h('p', { class: 'alert' }, message(r))); return; }
  const only = (k, v) => {
    const u = new URLSearchParams(location.search);
    if (k === 'resource_id') { u.delete('secret'); u.delete('project'); }
    u.set(k, v);
    return '/audit?' + u;
  };
  const events = r.body.events;
  const table = h('table', { id: 'audit' },
    h('thead', {}, h('tr', {}, ['When', 'Actor', 'Action', 'Resource', 'Medium', 'Client']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, events.length ? events.map((e) => h('tr', {},
      h('td', {}, fmtTime(e.time)),
      h('td', {}, e.actor_id ? link(only('actor_id', e.actor_id), e.actor_name || e.actor_id, { title: 'Only this actor' }) : e.actor_name),
      h('td', {}, e.action),
      h('td', {}, e.resource_id ? link(only('resource_id', e.resource_id), `${e.resource_type} ${e.resource_name}`,
                                       { title: 'Only this resource' }) : `${e.resource_type} ${e.resource_name}`),
      h('td', {}, e.medium), h('td', {}, e.client_ip))) :
      h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No events.'))));
  const pager = h('div', { class: 'pager' });
  if (tokens.length > 1) {
    pager.append(h('button', { type: 'button', onclick: () => auditTable(want, holder, tokens.slice(0, -1)) },
                   'Previous page'));
  }
  pager.append(h('span', { class: 'muted' }, `Page ${tokens.length}, oldest first`));
  if (r.body.next_page_token) {
    pager.append(h('button', { type: 'button', id: 'next-page', onclick: () =>
      auditTable(want, holder, [...tokens, r.body.next_page_token]) }, 'Next page'));
  }
  holder.replaceChildren(table, pager);
}

// --- start -----------------------------------------------------------------------------------

(async function start() {
  const r = await fetch('/api/v1alpha/session', { credentials: 'same-origin', cache: 'no-store' });
  if (r.status === 200) {
    const b = await r.json();
    state.user = b.user;
    state.csrf = b.csrf_token;
  }
  render();
}());
