/// <reference lib="dom" />
// The callbacks given to page.evaluate run in the browser.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/*
 * The dashboard in a real browser: Debian's Chromium (never a download), driven by
 * playwright-core, against a real Elyzor that serves the production build.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SCREENSHOTS = join(root, 'docs', 'screenshots');

/** The production build, made only if its sources changed since the last one. */
export function buildDashboard(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-dashboard.mjs')], { stdio: 'inherit' });
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium as this machine's closed network needs it; Playwright gives it a fresh profile directory. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Content-security-policy violations and uncaught errors seen by the page. */
  problems: string[];
}

/** A fresh context (its own cookies) that may use the clipboard, with its page watched for CSP violations. */
export async function openContext(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }): Promise<Watched> {
  const context = await browser.newContext({ viewport, baseURL: origin });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

export interface Violation {
  id: string;
  impact: string | null | undefined;
  targets: string[];
}

/** axe-core run in the page: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) is not loosened for it.
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/**
 * A screenshot of the page into docs/screenshots/<name>.png, only when UPDATE_SCREENSHOTS=1:
 * the pages show fresh emails and dates on every run, so that a plain test run would otherwise
 * rewrite every file and dirty the git tree.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
