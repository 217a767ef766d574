// Stacks that name src/*.ts lines, not the bundle's, at no cost to a run that shows none.
// Node's own way (process.setSourceMapsEnabled) reads each file's map and scans its whole text as
// the file loads: a bundled `check` pays that for 50 chunks before its first line (what it costs:
// docs/BENCHMARKS.md, "CLI start-up"). Here a map is read when a stack passing through its file
// is first shown, and node's SourceMap decodes it. The maps are the `.js.map` files the build
// writes beside each file (esbuild's chunks and tsc's output alike).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | undefined>();

function mapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    try {
      maps.set(url, new SourceMap(JSON.parse(readFileSync(fileURLToPath(`${url}.map`), 'utf8'))));
    } catch {
      maps.set(url, undefined); // no map (node's own files, packages', a tool's): the frame as it is
    }
  }
  return maps.get(url);
}

/** A frame as V8 writes it (`fn (file:///...js:12:5)`), with its place in the original source. */
function frame(site: NodeJS.CallSite): string {
  const text = String(site);
  const url = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!url?.startsWith('file://') || line === null || column === null) return text;
  const entry = mapOf(url)?.findEntry(line - 1, column - 1);
  if (entry === undefined || !('originalSource' in entry)) return text;
  // A map names its sources relative to itself, and it sits beside its file.
  const source = fileURLToPath(new URL(entry.originalSource, url));
  return text.replace(`${url}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
}

/** From now on, every stack shown names the original source of the frames that have a map. */
export function mapStacksToSources(): void {
  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) => [Error.prototype.toString.call(error), ...sites.map((s) => `    at ${frame(s)}`)].join('\n');
}
