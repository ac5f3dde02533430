// Browser tests of the web UI: Debian's chromium, headless, driven by playwright-core (no
// browser download), against ONE real `coffer server` on 127.0.0.1 for the whole suite.
// Each walkthrough of the seed documentation is done as written, in the browser, and its
// result is checked through the API (and a job's checkout). On failure a screenshot is
// saved to $COFFER_BUILD/browser-failures/. The secrets page and New Secret screenshots
// for the README go to $COFFER_BUILD/screenshots/, or to docs/img/ (which the README shows)
// only when UPDATE_SCREENSHOTS=1 is set, so a plain test run leaves the tree clean.
//
// run: COFFER_BUILD=build node --test tests/browser/ui.test.js
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '../..');
const BUILD = path.resolve(process.env.COFFER_BUILD || path.join(ROOT, 'build'));
const COFFER = path.join(BUILD, 'coffer');
const FAILURES = path.join(BUILD, 'browser-failures');
const IMG = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/img')
                                                  : path.join(BUILD, 'screenshots');

function playwright() {
  try {
    return require(path.join(HERE, 'node_modules/playwright-core'));
  } catch (e) {
    // make deps (scripts/install-deps.sh) installs it; this is the same step.
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: HERE, stdio: 'inherit' });
    return require(path.join(HERE, 'node_modules/playwright-core'));
  }
}

let server, url, dataDir, ownerToken, memberToken, ciToken, browser;
let owner;  // the Owner's signed-in page
const tmp = [];

function admin(...args) {
  return execFileSync(COFFER, ['admin', '--data-dir', dataDir, ...args], { encoding: 'utf8' }).trim();
}

async function startServer() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-ui-'));
  tmp.push(dataDir);
  const out = path.join(dataDir, '..', path.basename(dataDir) + '.out');
  tmp.push(out);
  const fd = fs.openSync(out, 'w');
  server = spawn(COFFER, ['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0'],
                 { stdio: ['ignore', fd, 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; i < 1500; i++) {
    const text = fs.readFileSync(out, 'utf8');
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    const t = /^Admin token: (\S+)$/m.exec(text);
    if (m && t) { url = m[1]; ownerToken = t[1]; return; }
    if (server.exitCode !== null) throw new Error('server exited: ' + stderr);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('server did not start: ' + stderr);
}

// The API with a token (or a cookie), as any client calls it.
async function api(method, p, body, { token = ownerToken, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = 'Token ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(url + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try { json = await r.json(); } catch (e) { json = null; }
  return { status: r.status, json, headers: r.headers };
}

async function ok(method, p, body, opts) {
  const r = await api(method, p, body, opts);
  assert.equal(r.status, 200, `${method} ${p}: ${JSON.stringify(r.json)}`);
  return r.json;
}

// A job of `project` that imports `secrets`, checked out:
// {env: {NAME: value}, files: {path: text}, jobId}. `extra` adds fields to the job's opening.
async function checkout(project, secrets, extra = {}) {
  const job = await ok('POST', '/api/v1alpha/jobs', {
    project_id_or_name: project, secrets,
    git: { ref_type: 'BRANCH', ref: 'main', fork: false }, triggered_by: { type: 'AUTO' }, ...extra,
  }, { token: ciToken });
  const out = await ok('GET', `/api/v1alpha/jobs/${job.job_id}/secrets`, undefined, { token: job.token });
  const env = Object.fromEntries(out.env_vars.map((e) => [e.name, e.value]));
  const files = Object.fromEntries(out.files.map((f) => [f.path, Buffer.from(f.content, 'base64').toString()]));
  return { env, files, jobId: job.job_id };
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

async function signIn(page, token) {
  await page.goto(url + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#sign-out').waitFor();
}

// Runs `fn`; on failure saves a screenshot of every open page first.
function ui(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (e) {
      fs.mkdirSync(FAILURES, { recursive: true });
      const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
      for (const [i, p] of pages.entries()) {
        const file = path.join(FAILURES, `${name.replace(/[^a-z0-9]+/gi, '-')}-${i}.png`);
        await p.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.error('screenshot: ' + file);
      }
      throw e;
    }
  });
}

before(async () => {
  await startServer();
  memberToken = admin('create-user', 'mia', '--org', 'default', '--role', 'Member', '--token');
  ciToken = admin('create-user', 'ci', '--org', 'default', '--role', 'Orchestrator', '--token');
  for (const name of ['web', 'api']) {
    await ok('POST', '/api/v1alpha/projects', {
      apiVersion: 'v1alpha', kind: 'Project', metadata: { name },
      spec: { repository: { url: `git@example.com:acme/${name}.git` } },
    });
  }
  const { chromium } = playwright();
  // launch() gives chromium a fresh --user-data-dir of its own (a new temporary profile,
  // removed on close); each context below is a fresh cookie jar too.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run'],
  });
  owner = await newPage();
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    const done = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await done;
  }
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

ui('a wrong token does not sign in, and says why next to the field', async () => {
  const page = await newPage();
  await page.goto(url + '/secrets');
  await page.getByLabel('API token').fill('cft_' + 'x'.repeat(43));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await assert.doesNotReject(page.locator('#token-error', { hasText: 'invalid or expired API token' }).waitFor());
  assert.equal((await page.context().cookies()).length, 0);
  await page.context().close();
});

ui('signing in trades the token for an HttpOnly SameSite=Strict cookie; the token is not kept', async () => {
  await signIn(owner, ownerToken);
  const cookies = await owner.context().cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].name, 'coffer_session');
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  assert.ok(cookies[0].value.startsWith('cfs_'));
  assert.ok(!cookies[0].value.includes(ownerToken));
  const stored = await owner.evaluate(() => JSON.stringify([document.cookie, { ...localStorage }, { ...sessionStorage }]));
  assert.ok(!stored.includes(ownerToken), stored);
  assert.ok(!stored.includes('cfs_'), stored);
  assert.equal(await owner.getByLabel('API token').count(), 0);
});

ui('organization secret: New Secret with two env vars and two files, Save secret', async () => {
  await owner.getByRole('link', { name: 'Secrets', exact: true }).click();
  await owner.getByRole('link', { name: 'New Secret' }).click();
  await owner.getByLabel('Name', { exact: true }).fill('awskey');
  await owner.getByLabel('Description').fill('AWS credentials for deploys');
  const env = owner.locator('.env-row');
  await env.nth(0).getByLabel('Variable name').fill('AWS_ACCESS_KEY_ID');
  await env.nth(0).getByLabel('Value').fill('AKIA-first-key');
  await owner.getByRole('button', { name: 'Add environment variable' }).click();
  await env.nth(1).getByLabel('Variable name').fill('AWS_SECRET_ACCESS_KEY');
  await env.nth(1).getByLabel('Value').fill('secret-one');
  await owner.getByRole('button', { name: 'Add file' }).click();
  const file = owner.locator('.file-row').nth(0);
  await file.getByLabel('File path').fill('/home/semaphore/.aws/config');
  await file.getByLabel('Upload file').setInputFiles({
    name: 'config', mimeType: 'text/plain', buffer: Buffer.from('[default]\nregion = eu-west-1\n'),
  });
  // "Add more files": a second file row.
  await owner.getByRole('button', { name: 'Add file' }).click();
  const second = owner.locator('.file-row').nth(1);
  await second.getByLabel('File path').fill('/home/semaphore/.aws/credentials');
  await second.getByLabel('Upload file').setInputFiles({
    name: 'credentials', mimeType: 'text/plain', buffer: Buffer.from('[default]\nprofile = deploy\n'),
  });
  fs.mkdirSync(IMG, { recursive: true });
  await owner.screenshot({ path: path.join(IMG, 'ui-new-secret.png'), fullPage: true });
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await owner.locator('.notice', { hasText: 'Saved secret awskey.' }).waitFor();
  const row = owner.locator('#secrets tr', { hasText: 'awskey' });
  await assert.doesNotReject(row.getByText('AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY').waitFor());
  await assert.doesNotReject(row.getByText('/home/semaphore/.aws/config, /home/semaphore/.aws/credentials').waitFor());

  const s = await ok('GET', '/api/v1beta/secrets/awskey');
  assert.equal(s.metadata.description, 'AWS credentials for deploys');
  assert.deepEqual(s.data.env_vars.map((e) => e.name), ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  assert.deepEqual(s.data.files.map((f) => f.path), ['/home/semaphore/.aws/config', '/home/semaphore/.aws/credentials']);
  assert.equal(s.org_config.projects_access, 'ALL');
  const job = await checkout('web', ['awskey']);
  assert.equal(job.env.AWS_ACCESS_KEY_ID, 'AKIA-first-key');
  assert.equal(job.env.AWS_SECRET_ACCESS_KEY, 'secret-one');
  assert.equal(job.files['/home/semaphore/.aws/config'], '[default]\nregion = eu-west-1\n');
  assert.equal(job.files['/home/semaphore/.aws/credentials'], '[default]\nprofile = deploy\n');
});

ui('the secrets page lists names, env vars, files, last updated and last use by project', async () => {
  await ok('POST', '/api/v1beta/secrets', { metadata: { name: 'gcpkey', description: 'GCP service account' },
    data: { env_vars: [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/home/semaphore/gcp.json' }],
            files: [{ path: '/home/semaphore/gcp.json', content: Buffer.from('{}').toString('base64') }] } });
  await ok('POST', '/api/v1beta/secrets', { metadata: { name: 'sshkeys', description: 'deploy keys' },
    data: { env_vars: [], files: [{ path: '.ssh/id_ed25519', content: Buffer.from('k').toString('base64') },
                                  { path: '.ssh/id_ed25519.pub', content: Buffer.from('p').toString('base64') }] } });
  await owner.goto(url + '/secrets');
  await assert.doesNotReject(owner.locator('#secrets tr', { hasText: 'sshkeys' }).getByText('.ssh/id_ed25519, .ssh/id_ed25519.pub').waitFor());
  assert.equal(await owner.locator('#secrets tbody tr', { hasText: 'sshkeys' }).locator('td').nth(5).textContent(), 'never');
  const row = owner.locator('#secrets tr', { hasText: 'awskey' });
  await assert.doesNotReject(row.getByText('by web').waitFor());
  await owner.screenshot({ path: path.join(IMG, 'ui-secrets.png'), fullPage: true });
});

ui('access policy: chosen projects, debug sessions off', async () => {
  await owner.getByRole('link', { name: 'awskey' }).click();
  // Under "All projects" the project checkboxes are hidden; "Chosen projects" shows them.
  await owner.getByLabel('All projects').waitFor();
  assert.equal(await owner.getByLabel('All projects').isChecked(), true);
  assert.equal(await owner.getByLabel('web', { exact: true }).isVisible(), false);
  assert.equal(await owner.getByLabel('api', { exact: true }).isVisible(), false);
  await owner.getByLabel('Chosen projects').check();
  assert.equal(await owner.getByLabel('web', { exact: true }).isVisible(), true);
  await owner.getByLabel('web', { exact: true }).check();
  await owner.getByLabel('Debug sessions allowed').uncheck();
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await owner.locator('.notice', { hasText: 'Saved secret awskey.' }).waitFor();
  const web = await ok('GET', '/api/v1alpha/projects/web');
  const s = await ok('GET', '/api/v1beta/secrets/awskey');
  assert.equal(s.org_config.projects_access, 'ALLOWED');
  assert.deepEqual(s.org_config.project_ids, [web.metadata.id]);
  assert.equal(s.org_config.debug_access, 'JOB_DEBUG_NO');
  assert.equal(s.org_config.attach_access, 'JOB_ATTACH_YES');
  // The other project may no longer import it.
  const refused = await api('POST', '/api/v1alpha/jobs', {
    project_id_or_name: 'api', secrets: ['awskey'],
    git: { ref_type: 'BRANCH', ref: 'main', fork: false }, triggered_by: { type: 'AUTO' },
  }, { token: ciToken });
  assert.equal(refused.status, 403, JSON.stringify(refused.json));
});

ui('edit: a value left empty is kept, one replaced is replaced, no value is ever shown', async () => {
  await owner.goto(url + '/secrets/awskey');
  const env = owner.locator('.env-row');
  await env.nth(1).getByLabel('New value').waitFor();
  for (const input of await owner.locator('input.env-value').all()) assert.equal(await input.inputValue(), '');
  const html = await owner.content();
  assert.ok(!html.includes('AKIA-first-key') && !html.includes('secret-one'));
  await env.nth(1).getByLabel('New value').fill('secret-two');
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await owner.locator('.notice', { hasText: 'Saved secret awskey.' }).waitFor();
  const job = await checkout('web', ['awskey']);
  assert.equal(job.env.AWS_ACCESS_KEY_ID, 'AKIA-first-key');
  assert.equal(job.env.AWS_SECRET_ACCESS_KEY, 'secret-two');
  assert.equal(job.files['/home/semaphore/.aws/config'], '[default]\nregion = eu-west-1\n');
});

ui('errors are shown next to the field, in the server\'s words', async () => {
  await owner.goto(url + '/secrets/new');
  await owner.getByLabel('Name', { exact: true }).fill('bad name!');
  await owner.locator('.env-row').nth(0).getByLabel('Variable name').fill('OK_NAME');
  await owner.locator('.env-row').nth(0).getByLabel('Value').fill('v');
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await assert.doesNotReject(owner.locator('#secret-name-error', { hasText: 'may contain only letters' }).waitFor());
  await owner.getByLabel('Name', { exact: true }).fill('goodname');
  await owner.locator('.env-row').nth(0).getByLabel('Variable name').fill('1BAD');
  await owner.getByRole('button', { name: 'Save secret' }).click();
  const err = owner.locator('.env-row').nth(0).locator('.error', { hasText: 'must match' });
  await assert.doesNotReject(err.waitFor());
  assert.equal((await api('GET', '/api/v1beta/secrets/goodname')).status, 404);
});

ui('an edit that loses a race says so and changes nothing', async () => {
  await owner.goto(url + '/secrets/awskey');
  await owner.getByLabel('Description').waitFor();
  // Someone else saves in between.
  await ok('PATCH', '/api/v1beta/secrets/awskey', { metadata: { description: 'changed by the API' } });
  await owner.getByLabel('Description').fill('changed in the browser');
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await assert.doesNotReject(owner.locator('#stale', { hasText: 'nothing was changed' }).waitFor());
  const s = await ok('GET', '/api/v1beta/secrets/awskey');
  assert.equal(s.metadata.description, 'changed by the API');
});

ui('project secret: Settings, Secrets, Add', async () => {
  await owner.getByRole('link', { name: 'Projects' }).click();
  await owner.getByRole('link', { name: 'web', exact: true }).click();
  await owner.getByRole('link', { name: 'Add', exact: true }).click();
  await owner.getByLabel('Name', { exact: true }).fill('dbpass');
  await owner.getByLabel('Description').fill('the database');
  const env = owner.locator('.env-row');
  await env.nth(0).getByLabel('Variable name').fill('DB_PASSWORD');
  await env.nth(0).getByLabel('Value').fill('hunter2');
  // "Add more values": a second variable, and a third that is removed before saving.
  await owner.getByRole('button', { name: 'Add environment variable' }).click();
  await env.nth(1).getByLabel('Variable name').fill('DB_USER');
  await env.nth(1).getByLabel('Value').fill('app');
  await owner.getByRole('button', { name: 'Add environment variable' }).click();
  await env.nth(2).getByLabel('Variable name').fill('TYPO');
  await env.nth(2).getByLabel('Value').fill('oops');
  await env.nth(2).getByRole('button', { name: 'Remove variable' }).click();
  assert.equal(await env.count(), 2);
  // "Add a file": path and upload.
  await owner.getByRole('button', { name: 'Add file' }).click();
  const file = owner.locator('.file-row').nth(0);
  await file.getByLabel('File path').fill('.pgpass');
  await file.getByLabel('Upload file').setInputFiles({
    name: 'pgpass', mimeType: 'text/plain', buffer: Buffer.from('db:5432:app:app:hunter2\n'),
  });
  assert.equal(await owner.locator('#access-policy').count(), 0);
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await owner.locator('.notice', { hasText: 'Saved secret dbpass.' }).waitFor();
  await assert.doesNotReject(owner.locator('#secrets tr', { hasText: 'dbpass' }).getByText('DB_PASSWORD, DB_USER').waitFor());
  let s = await ok('GET', '/api/v1/projects/web/secrets/dbpass');
  assert.deepEqual(s.data.env_vars.map((e) => e.name), ['DB_PASSWORD', 'DB_USER']);
  assert.deepEqual(s.data.files.map((f) => f.path), ['.pgpass']);
  let job = await checkout('web', ['dbpass']);
  assert.deepEqual(job.env, { DB_PASSWORD: 'hunter2', DB_USER: 'app' });
  assert.deepEqual(job.files, { '.pgpass': 'db:5432:app:app:hunter2\n' });

  // Edit: Remove on the DB_USER row removes that variable; the rest is kept.
  await owner.locator('#secrets tr', { hasText: 'dbpass' }).getByRole('link', { name: 'dbpass' }).click();
  await env.nth(1).getByLabel('New value').waitFor();
  assert.equal(await env.nth(1).getByLabel('Variable name').inputValue(), 'DB_USER');
  await env.nth(1).getByRole('button', { name: 'Remove variable' }).click();
  await owner.getByRole('button', { name: 'Save secret' }).click();
  await owner.locator('.notice', { hasText: 'Saved secret dbpass.' }).waitFor();
  s = await ok('GET', '/api/v1/projects/web/secrets/dbpass');
  assert.deepEqual(s.data.env_vars.map((e) => e.name), ['DB_PASSWORD']);
  assert.deepEqual(s.data.files.map((f) => f.path), ['.pgpass']);
  job = await checkout('web', ['dbpass']);
  assert.deepEqual(job.env, { DB_PASSWORD: 'hunter2' });
  assert.deepEqual(job.files, { '.pgpass': 'db:5432:app:app:hunter2\n' });
});

ui('the fork pull request allow-list is saved on the project; each error is next to its field', async () => {
  await owner.goto(url + '/projects/web');
  // A contributor name over 255 characters: said under "Allowed contributors", not "Secrets".
  await owner.getByLabel('Allowed contributors').fill('x'.repeat(256));
  await owner.getByRole('button', { name: 'Save allow-list' }).click();
  await owner.locator('#fork-contributors-error', { hasText: 'allowed_contributors[0]: must be 1 to 255 characters' }).waitFor();
  assert.equal(await owner.getByLabel('Allowed contributors').getAttribute('aria-invalid'), 'true');
  assert.equal(await owner.locator('#fork-secrets-error').textContent(), '');
  // A bad secret name: under "Secrets allowed for fork pull requests"; the contributor's is cleared.
  await owner.getByLabel('Allowed contributors').fill('');
  await owner.getByLabel('Secrets allowed for fork pull requests').fill('bad name!');
  await owner.getByRole('button', { name: 'Save allow-list' }).click();
  await owner.locator('#fork-secrets-error', { hasText: 'allowed_secrets[0]' }).waitFor();
  assert.equal(await owner.locator('#fork-contributors-error').textContent(), '');
  assert.deepEqual((await ok('GET', '/api/v1alpha/projects/web')).spec.repository.forked_pull_requests.allowed_contributors, []);
  await owner.getByLabel('Secrets allowed for fork pull requests').fill('dbpass');
  await owner.getByRole('button', { name: 'Save allow-list' }).click();
  await owner.getByText('Saved the allow-list.').waitFor();
  const p = await ok('GET', '/api/v1alpha/projects/web');
  assert.deepEqual(p.spec.repository.forked_pull_requests.allowed_secrets, ['dbpass']);
});

ui('delete asks for confirmation, then deletes', async () => {
  await owner.goto(url + '/projects/web/secrets/dbpass');
  await owner.getByRole('button', { name: 'Delete…' }).click();
  await owner.getByRole('button', { name: 'Keep it' }).click();
  assert.equal((await api('GET', '/api/v1/projects/web/secrets/dbpass')).status, 200);
  await owner.getByRole('button', { name: 'Delete…' }).click();
  await owner.getByRole('button', { name: 'Delete dbpass' }).click();
  await owner.locator('.notice', { hasText: 'Deleted secret dbpass.' }).waitFor();
  assert.equal((await api('GET', '/api/v1/projects/web/secrets/dbpass')).status, 404);
});

ui('the usage page lists each checkout: project, job, pipeline, workflow, when, version', async () => {
  const job = await checkout('web', ['awskey'], { pipeline_id: 'pl-usage-1', workflow_id: 'wf-usage-1' });
  await owner.goto(url + '/secrets/awskey/usage');
  await owner.locator('#usage tbody tr').first().waitFor();
  assert.ok((await owner.locator('#usage tbody tr', { hasText: 'web' }).count()) >= 3);
  // The newest checkout comes first, every column filled from the API's record of it.
  const cells = (await owner.locator('#usage tbody tr').first().locator('td').allTextContents())
    .map((c) => c.trim());
  const usage = (await ok('GET', '/api/v1beta/secrets/awskey/usage')).usage[0];
  assert.equal(usage.job_id, job.jobId);
  assert.deepEqual(cells.slice(0, 4), ['web', job.jobId, 'pl-usage-1', 'wf-usage-1']);
  assert.ok(cells[4].length > 0, 'the When column is empty');
  assert.equal(cells[5], String(usage.version));
});

// The audit page's rows, as text, once the filtered page has loaded.
async function auditRows(page) {
  await page.locator('#audit tbody tr').first().waitFor();
  await page.locator('.pager').waitFor();
  return page.locator('#audit tbody tr').allTextContents();
}

async function auditFilter(page) {
  const before = page.url();
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL((u) => u.toString() !== before);
  return auditRows(page);
}

ui('the audit page filters on the server by secret, actor and action', async () => {
  const users = (await ok('GET', '/api/v1alpha/users')).users;
  const ci = users.find((u) => u.name === 'ci');
  const awskey = (await ok('GET', '/api/v1beta/secrets/awskey')).metadata.id;
  const updates = (await ok('GET', `/api/v1alpha/audit?resource_id=${awskey}&action=secret.update`)).events;
  assert.ok(updates.length >= 2);
  await owner.goto(url + '/audit');
  await owner.getByLabel('Secret', { exact: true }).fill('awskey');
  await owner.getByLabel('Action').selectOption('secret.update');
  let rows = await auditFilter(owner);
  assert.equal(rows.length, updates.length, rows.join('\n'));
  for (const r of rows) assert.ok(r.includes('secret.update') && r.includes('awskey'), r);
  assert.ok(rows.some((r) => r.includes('UI')));
  // The URL holds the API's filters: the page can be reloaded and shows the same.
  const q = new URL(owner.url()).searchParams;
  assert.equal(q.get('resource_id'), awskey);
  assert.equal(q.get('action'), 'secret.update');
  await owner.reload();
  assert.equal((await auditRows(owner)).length, updates.length);
  assert.equal(await owner.getByLabel('Secret', { exact: true }).inputValue(), 'awskey');

  // Actor: a user picked by name; every row is theirs, as many as the API lists.
  const byCi = (await ok('GET', `/api/v1alpha/audit?actor_id=${ci.id}&page_size=100`)).events;
  assert.ok(byCi.length >= 1);
  await owner.goto(url + '/audit');
  await owner.getByLabel('Actor').selectOption({ label: 'ci (Orchestrator)' });
  rows = await auditFilter(owner);
  assert.equal(rows.length, Math.min(byCi.length, 100));
  for (const cell of await owner.locator('#audit tbody tr td:nth-child(2)').allTextContents()) assert.equal(cell, 'ci');

  // A row's resource narrows to it; "Clear filters" lists everything again.
  await owner.goto(url + '/audit?action=secret.create');
  await auditRows(owner);
  await owner.locator('#audit tbody tr', { hasText: 'gcpkey' }).getByRole('link', { name: /gcpkey/ }).click();
  await owner.waitForURL(/resource_id=/);
  rows = await auditRows(owner);
  assert.equal(rows.length, 1, rows.join('\n'));
  assert.ok(rows[0].includes('secret.create') && rows[0].includes('gcpkey'));
  await owner.getByRole('link', { name: 'Clear filters' }).click();
  await owner.waitForURL((u) => u.pathname === '/audit' && !u.search);
  assert.ok((await auditRows(owner)).length > 3);

  // A project secret is named with its project; an unknown name is said next to the field.
  await owner.getByLabel('Secret', { exact: true }).fill('awskey');
  await owner.getByLabel('Which is').selectOption({ label: 'a secret of project web' });
  await owner.getByRole('button', { name: 'Filter' }).click();
  await owner.locator('#filter-secret-error', { hasText: 'not found' }).waitFor();
  assert.equal(new URL(owner.url()).search, '');
});

ui('a Member cannot see what an Owner can: a project page is 404, the audit log refused', async () => {
  const page = await newPage();
  await signIn(page, memberToken);
  // Members may view org secrets' names (as the API says)...
  await assert.doesNotReject(page.locator('#secrets tr', { hasText: 'awskey' }).waitFor());
  // ...but not project web, which the Owner sees.
  const res = await page.goto(url + '/projects/web');
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  const ownerRes = await owner.goto(url + '/projects/web');
  assert.equal(ownerRes.status(), 200);
  await page.goto(url + '/projects');
  await page.getByText('No projects you can see.').waitFor();
  await page.goto(url + '/audit');
  await assert.doesNotReject(page.locator('.alert').waitFor());
  // And a change the API refuses is refused in the page too, in the server's words.
  await page.goto(url + '/secrets/awskey');
  await page.getByLabel('Description').fill('changed by a member');
  await page.getByRole('button', { name: 'Save secret' }).click();
  await assert.doesNotReject(page.locator('#form-alert .alert').waitFor());
  assert.equal((await ok('GET', '/api/v1beta/secrets/awskey')).metadata.description, 'changed by the API');
  await page.context().close();
});

ui('CSRF: a change without the token is 403, and so is one from another origin', async () => {
  await owner.goto(url + '/secrets');
  const without = await owner.evaluate(async () => {
    const r = await fetch('/api/v1beta/secrets', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'csrf' }, data: { env_vars: [{ name: 'A', value: 'a' }], files: [] } }),
    });
    return [r.status, await r.text()];
  });
  assert.equal(without[0], 403, without[1]);
  assert.match(without[1], /CSRF/);
  const cookie = (await owner.context().cookies())[0];
  const csrf = (await (await fetch(url + '/api/v1alpha/session', { headers: { Cookie: `${cookie.name}=${cookie.value}` } })).json()).csrf_token;
  const body = { metadata: { name: 'csrf' }, data: { env_vars: [{ name: 'A', value: 'a' }], files: [] } };
  const foreign = await api('POST', '/api/v1beta/secrets', body, { token: null, headers: {
    Cookie: `${cookie.name}=${cookie.value}`, 'X-CSRF-Token': csrf, Origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  const wrong = await api('POST', '/api/v1beta/secrets', body, { token: null, headers: {
    Cookie: `${cookie.name}=${cookie.value}`, 'X-CSRF-Token': csrf.slice(1) + 'A', Origin: url } });
  assert.equal(wrong.status, 403);
  assert.equal((await api('GET', '/api/v1beta/secrets/csrf')).status, 404);
  // A job route never takes the cookie.
  const job = await api('POST', '/api/v1alpha/jobs', { project_id_or_name: 'web', secrets: [] }, { token: null,
    headers: { Cookie: `${cookie.name}=${cookie.value}`, 'X-CSRF-Token': csrf, Origin: url } });
  assert.equal(job.status, 401);
});

ui('pages carry a strict Content-Security-Policy and load nothing from elsewhere', async () => {
  const r = await fetch(url + '/secrets');
  const csp = r.headers.get('content-security-policy');
  for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                   "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
    assert.ok(csp.includes(d), csp);
  }
  const html = await r.text();
  assert.ok(!/<script>|<script [^>]*>[^<]/.test(html), 'no inline script');
  assert.ok(!/https?:\/\//.test(html), 'no external resource');
  const requests = [];
  owner.on('request', (q) => requests.push(q.url()));
  await owner.goto(url + '/secrets');
  await owner.locator('#secrets').waitFor();
  assert.ok(requests.every((u) => u.startsWith(url)), requests.join('\n'));
});

// Presses Tab (at most 20 times) until `isThere()`, run in the page, is true.
async function tabTo(page, isThere) {
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(isThere)) return;
  }
  throw new Error('Tab never reached the element: ' + isThere.toString());
}

ui('keyboard: sign in, reach New Secret, fill and save it with the keyboard alone; every field has a label', async () => {
  const page = await newPage();
  await page.goto(url + '/');
  await page.getByLabel('API token').focus();
  await page.keyboard.type(ownerToken);
  await page.keyboard.press('Enter');
  await page.locator('#sign-out').waitFor();
  // From the secrets page: Tab to the New Secret link, Enter.
  await page.locator('#new-secret').waitFor();
  await tabTo(page, () => document.activeElement.id === 'new-secret');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/secrets/new');
  await page.getByLabel('Name', { exact: true }).waitFor();
  // Fill the form by keyboard: name, then the first variable's name and value; Enter submits.
  await tabTo(page, () => document.activeElement.id === 'secret-name');
  await page.keyboard.type('kbdkey');
  await tabTo(page, () => document.activeElement.id === 'secret-description');
  await page.keyboard.type('typed');
  await tabTo(page, () => document.activeElement.classList.contains('env-name'));
  await page.keyboard.type('KBD_VAR');
  await tabTo(page, () => document.activeElement.classList.contains('env-value'));
  await page.keyboard.type('kbd-value');
  await page.keyboard.press('Enter');
  await page.locator('.notice', { hasText: 'Saved secret kbdkey.' }).waitFor();
  const s = await ok('GET', '/api/v1beta/secrets/kbdkey');
  assert.equal(s.metadata.description, 'typed');
  assert.deepEqual(s.data.env_vars.map((e) => e.name), ['KBD_VAR']);
  assert.deepEqual(s.data.files, []);
  assert.equal((await checkout('web', ['kbdkey'])).env.KBD_VAR, 'kbd-value');
  await page.goto(url + '/secrets/new');
  await page.getByLabel('Name', { exact: true }).waitFor();
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((i) => !(i.labels && i.labels.length)).map((i) => i.outerHTML));
  assert.deepEqual(unlabelled, []);
  await page.context().close();
});

// A job of `web` under deployment target `target` on branch `ref`, triggered by `userId`:
// the env vars it checks out.
async function targetCheckout(target, ref, userId) {
  const job = await ok('POST', '/api/v1alpha/jobs', {
    project_id_or_name: 'web', secrets: [target], deployment_target: target,
    git: { ref_type: 'BRANCH', ref, fork: false }, triggered_by: { type: 'USER', user_id: userId },
  }, { token: ciToken });
  const out = await ok('GET', `/api/v1alpha/jobs/${job.job_id}/secrets`, undefined, { token: job.token });
  return Object.fromEntries(out.env_vars.map((e) => [e.name, e.value]));
}

async function webTarget(name) {
  const list = await ok('GET', '/api/v1alpha/deployment_targets?project_id=web&include_secrets=true');
  return list.find((t) => t.name === name);
}

ui('deployment target: create with rules and a credential, a bad regex, cordon and uncordon, edit keeping the value, delete', async () => {
  const web = await ok('GET', '/api/v1alpha/projects/web');
  // The Owner's user id, as a target's created_by shows it.
  const probe = await ok('POST', '/api/v1alpha/deployment_targets', { name: 'probe', project_id: web.metadata.id,
    subject_rules: [{ type: 'ANY' }], object_rules: [{ type: 'BRANCH', match_mode: 'ALL' }] });
  const ownerId = probe.created_by;
  assert.ok(ownerId);
  const page = await newPage();
  await signIn(page, ownerToken);
  await page.goto(url + '/projects/web/targets');
  await page.getByRole('link', { name: 'New deployment target' }).click();
  await page.getByLabel('Name', { exact: true }).waitFor();
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((i) => !(i.labels && i.labels.length)).map((i) => i.outerHTML));
  assert.deepEqual(unlabelled, []);
  await page.getByLabel('Name', { exact: true }).fill('prod');
  await page.getByLabel('Description').fill('Production');
  await page.getByLabel('URL').fill('https://prod.example.com');
  const subject = page.locator('#subject-rules .rule-row').nth(0);
  await subject.getByLabel('Subject type').selectOption('USER');
  // The user is picked by name from the organization's users (the API's /users).
  assert.equal(await subject.getByLabel('Role name').isVisible(), false);
  const picker = subject.getByLabel('User', { exact: true });
  const names = await picker.locator('option').allTextContents();
  for (const n of ['admin (Owner)', 'mia (Member)', 'ci (Orchestrator)']) assert.ok(names.includes(n), names.join(', '));
  await picker.selectOption({ label: 'admin (Owner)' });
  const object = page.locator('#object-rules .rule-row').nth(0);
  await object.getByLabel('Ref type').selectOption('BRANCH');
  await object.getByLabel('Match').selectOption('REGEX');
  const pattern = object.getByLabel('Pattern');
  await pattern.fill('main|release-(');
  const env = page.locator('.env-row').nth(0);
  await env.getByLabel('Variable name').fill('DEPLOY_TOKEN');
  await env.getByLabel('Value').fill('tok-prod-1');
  await page.getByRole('button', { name: 'Save target' }).click();
  // The server's words, next to the pattern; nothing was created.
  const patternId = await pattern.getAttribute('id');
  await page.locator(`#${patternId}-error`, { hasText: 'not a valid regular expression' }).waitFor();
  assert.equal(await pattern.getAttribute('aria-invalid'), 'true');
  assert.equal(await webTarget('prod'), undefined);

  await pattern.fill('main|release-.*');
  await page.getByRole('button', { name: 'Save target' }).click();
  await page.locator('.notice', { hasText: 'Saved deployment target prod.' }).waitFor();
  await assert.doesNotReject(page.locator('#targets tr', { hasText: 'prod' }).getByText('DEPLOY_TOKEN').waitFor());

  const t = await webTarget('prod');
  assert.equal(t.description, 'Production');
  assert.equal(t.url, 'https://prod.example.com');
  assert.deepEqual(t.subject_rules, [{ type: 'USER', subject_id: ownerId }]);
  assert.deepEqual(t.object_rules, [{ type: 'BRANCH', match_mode: 'REGEX', pattern: 'main|release-.*' }]);
  assert.deepEqual(t.env_vars.map((e) => e.name), ['DEPLOY_TOKEN']);
  assert.notEqual(t.env_vars[0].value, 'tok-prod-1');
  assert.equal((await targetCheckout('prod', 'release-7', ownerId)).DEPLOY_TOKEN, 'tok-prod-1');
  const refused = await api('POST', '/api/v1alpha/jobs', { project_id_or_name: 'web', secrets: ['prod'],
    deployment_target: 'prod', git: { ref_type: 'BRANCH', ref: 'dev', fork: false },
    triggered_by: { type: 'USER', user_id: ownerId } }, { token: ciToken });
  assert.equal(refused.status, 403);

  // Cordon: the row says so, the API says CORDONED and no job may use it; Uncordon undoes it.
  const prodRow = page.locator('#targets tbody tr', { hasText: 'Production' });
  await prodRow.getByRole('button', { name: 'Cordon' }).click();
  await prodRow.getByRole('cell', { name: 'cordoned', exact: true }).waitFor();
  assert.equal((await webTarget('prod')).state, 'CORDONED');
  const cordoned = await api('POST', '/api/v1alpha/jobs', { project_id_or_name: 'web', secrets: ['prod'],
    deployment_target: 'prod', git: { ref_type: 'BRANCH', ref: 'release-7', fork: false },
    triggered_by: { type: 'USER', user_id: ownerId } }, { token: ciToken });
  assert.equal(cordoned.status, 403, JSON.stringify(cordoned.json));
  await prodRow.getByRole('button', { name: 'Uncordon' }).click();
  await prodRow.getByRole('cell', { name: 'active', exact: true }).waitFor();
  assert.equal((await webTarget('prod')).state, 'USABLE');
  assert.equal((await targetCheckout('prod', 'release-7', ownerId)).DEPLOY_TOKEN, 'tok-prod-1');

  // Edit: the value is never shown; left empty, it is kept.
  await page.getByRole('link', { name: 'prod', exact: true }).click();
  await page.getByLabel('Description').fill('Production v2');
  assert.equal(await page.locator('.env-row').nth(0).getByLabel('New value').inputValue(), '');
  assert.equal(await page.locator('#subject-rules .subject-user').nth(0).inputValue(), ownerId);
  assert.equal(await page.locator('#subject-rules .subject-user option:checked').nth(0).textContent(), 'admin (Owner)');
  await page.getByRole('button', { name: 'Save target' }).click();
  await page.locator('.notice', { hasText: 'Saved deployment target prod.' }).waitFor();
  const t2 = await webTarget('prod');
  assert.equal(t2.description, 'Production v2');
  assert.deepEqual(t2.object_rules, t.object_rules);
  assert.deepEqual(t2.env_vars, t.env_vars);
  assert.equal((await targetCheckout('prod', 'main', ownerId)).DEPLOY_TOKEN, 'tok-prod-1');

  // Delete asks first; "Keep it" keeps it.
  await page.getByRole('link', { name: 'probe', exact: true }).click();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Keep it' }).click();
  assert.ok(await webTarget('probe'));
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Delete probe' }).click();
  await page.locator('.notice', { hasText: 'Deleted deployment target probe.' }).waitFor();
  assert.equal(await webTarget('probe'), undefined);
  assert.ok(await webTarget('prod'));

  // A target that is not this project's is a 404 page: unknown, deleted, or another project's.
  for (const p of ['/projects/web/targets/nope', `/projects/web/targets/${probe.id}`, `/projects/api/targets/${t.id}`]) {
    const res = await page.goto(url + p);
    assert.equal(res.status(), 404, p);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
  }
  assert.equal((await page.goto(url + `/projects/web/targets/${t.id}`)).status(), 200);
  await page.getByLabel('Name', { exact: true }).waitFor();
  await page.context().close();
});

ui('sign out ends the session on the server', async () => {
  const cookie = (await owner.context().cookies())[0];
  await owner.getByRole('button', { name: 'Sign out' }).click();
  await owner.getByLabel('API token').waitFor();
  const r = await api('GET', '/api/v1beta/secrets', undefined, { token: null, headers: { Cookie: `${cookie.name}=${cookie.value}` } });
  assert.equal(r.status, 401);
});

// A walk over 1,000 secrets stays paged: one page of the list is 25 rows.
ui('a page with 1,000 secrets stays paged and fast', async () => {
  const page = await newPage();
  await signIn(page, ownerToken);
  const batch = [];
  for (let i = 0; i < 1000; i++) {
    batch.push(api('POST', '/api/v1beta/secrets', {
      metadata: { name: `bulk-${String(i).padStart(4, '0')}` },
      data: { env_vars: [{ name: 'V', value: 'x' }], files: [] },
    }));
    if (batch.length === 50) { for (const r of await Promise.all(batch.splice(0))) assert.equal(r.status, 200); }
  }
  await page.goto(url + '/secrets');
  await page.locator('#secrets tbody tr').first().waitFor();
  assert.equal(await page.locator('#secrets tbody tr').count(), 25);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Page 2').waitFor();
  assert.equal(await page.locator('#secrets tbody tr').count(), 25);
  // The audit page filters on the server: an event after the 1,000 creations is found.
  await ok('PATCH', '/api/v1beta/secrets/gcpkey', { metadata: { description: 'after the bulk' } });
  await page.goto(url + '/audit');
  await page.getByLabel('Secret', { exact: true }).fill('gcpkey');
  await page.getByLabel('Action').selectOption('secret.update');
  const rows = await auditFilter(page);
  assert.equal(rows.length, 1, rows.join('\n'));
  assert.ok(rows[0].includes('secret.update') && rows[0].includes('gcpkey'), rows[0]);
  await page.goto(url + '/audit?action=secret.create');
  assert.equal((await auditRows(page)).length, 100);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Page 2, oldest first').waitFor();
  assert.equal(await page.locator('#audit tbody tr').count(), 100);
  await page.context().close();
});
