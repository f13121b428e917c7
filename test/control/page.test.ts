/**
 * The status page in Debian's real Chromium (headless, driven by playwright-core)
 * against a real engine: it shows the failing host, follows a host going up and
 * down live without a reload, shows HTML in check output as text, and the ack
 * button works once the token is entered. Screenshots: test/artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startFixture, TOKEN, EVIL } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('status page: failing host, live updates, escaped output, ack', { timeout: 45_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (listed in .ci/apt.d/control.txt)`);
  mkdirSync('test/artifacts', { recursive: true });
  const f = await startFixture();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 15_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(8000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(f.base + '/');

    const chip = (host: string) => page.locator(`tr[data-service="web/tcp"] li.host[data-host="${host}"]`);
    // One failing host: shown in the table and as a problem card.
    await chip('127.0.0.2').and(page.locator('[data-state="down"]')).waitFor();
    await chip('127.0.0.1').and(page.locator('[data-state="up"]')).waitFor();
    await page.locator('article.problem[data-service="web/tcp"]').waitFor();
    assert.match(await page.locator('article.problem[data-service="web/tcp"]').innerText(), /127\.0\.0\.2/);
    assert.match(await page.locator('#overall').innerText(), /failing/);
    await page.locator('#live.on').waitFor();

    // Check output with HTML shows as text, runs nothing.
    const evil = page.locator('tr[data-service="evil/html"] .summary code');
    await evil.waitFor();
    assert.equal(await evil.textContent(), EVIL);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('script').count(), 1, 'the only script element is app.js');
    assert.equal(await page.locator('img[src=x]').count(), 0);

    // Live: the host comes back and goes down again, no reload.
    await page.evaluate('window.__same = true');
    await f.setSecondHost(true);
    await chip('127.0.0.2').and(page.locator('[data-state="up"]')).waitFor();
    await page.locator('article.problem[data-service="web/tcp"]').waitFor({ state: 'detached' });
    await page.locator('li.event[data-type="host-up"]').first().waitFor();
    await f.setSecondHost(false);
    await chip('127.0.0.2').and(page.locator('[data-state="down"]')).waitFor();
    await page.locator('li.event[data-type="host-down"]').first().waitFor();
    assert.equal(await page.evaluate('window.__same'), true, 'the page was not reloaded');

    // No token, no buttons; with the token, Ack works.
    const card = page.locator('article.problem[data-service="web/tcp"]');
    await card.waitFor();
    assert.equal(await card.locator('button[data-action="ack"]').count(), 0);
    await page.click('#token-button');
    await page.fill('#token-input', TOKEN);
    await page.press('#token-input', 'Enter');
    await card.locator('button[data-action="ack"]').click();
    await page.fill('#ack-comment', 'swapping the cable <b>now</b>');
    await page.click('#ack-submit');
    await card.locator('.pill.acked').waitFor();
    assert.match(await card.locator('.ack').innerText(), /swapping the cable <b>now<\/b>/);
    const svc = (await f.api('GET', '/api/services/web/tcp')).json;
    assert.equal(svc.acked, true);
    assert.match(svc.ackComment, /swapping the cable/);
    assert.equal(await page.evaluate("sessionStorage.getItem('vigil.token')"), TOKEN);

    await page.evaluate("document.getElementById('toasts').replaceChildren()");
    await page.screenshot({ path: 'test/artifacts/status-page.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test/artifacts/status-page-phone.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.screenshot({ path: 'test/artifacts/status-page-dark.png', fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await f.close();
  }
});
