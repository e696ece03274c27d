import { readFileSync } from 'node:fs';

const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

const TYPES = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
} as const;

/** The files the sandbox page loads from /sandbox/assets/, and nothing else. */
const FILES = ['page.css', 'card.css', 'dom.js', 'api.js', 'render.js', 'app.js'] as const;

export interface SandboxAsset {
  body: string;
  contentType: string;
}

/** The sandbox page's markup, read once at start. */
export const sandboxPage = read('page.html');

/** The page's stylesheet and scripts by file name, read once at start. */
export const sandboxAssets: ReadonlyMap<string, SandboxAsset> = new Map(
  FILES.map((name) => [name, { body: read(name), contentType: TYPES[name.endsWith('.css') ? 'css' : 'js'] }]),
);
