// The import graph of a TypeScript source tree and the cycles in it, between files and between
// top-level folders. dependency-cruiser reads the imports (type-only ones included: a type that
// goes round in circles ties the layers as much as a value does); the cycles are its strongly
// connected components, found here, because dependency-cruiser reports file cycles only and we
// also want the folders (src/engine, src/report, ...) to form layers.
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

export type Graph = Map<string, Set<string>>;

/** `root`'s files (paths relative to `cwd`, as `root/x/y.ts`) and what each imports under `root`. */
export async function importGraph(root: string, tsConfig: string, cwd = process.cwd()): Promise<Graph> {
  const previous = process.cwd();
  process.chdir(cwd); // dependency-cruiser resolves from the working directory
  try {
    const result = await cruise(
      [root],
      { tsPreCompilationDeps: true, tsConfig: { fileName: tsConfig }, doNotFollow: { path: 'node_modules' }, outputType: 'json' },
      undefined,
      { tsConfig: extractTSConfig(tsConfig) },
    );
    const output = (typeof result.output === 'string' ? JSON.parse(result.output) : result.output) as ICruiseResult;
    const graph: Graph = new Map();
    const inRoot = (path: string): boolean => path.startsWith(`${root}/`);
    for (const module of output.modules) {
      if (!inRoot(module.source)) continue;
      const edges = graph.get(module.source) ?? new Set<string>();
      for (const dependency of module.dependencies) if (inRoot(dependency.resolved)) edges.add(dependency.resolved);
      graph.set(module.source, edges);
    }
    return graph;
  } finally {
    process.chdir(previous);
  }
}

/** The graph between `root`'s top-level folders (a file directly in `root` is its own node). */
export function folderGraph(files: Graph, root: string): Graph {
  const folder = (path: string): string => {
    const inside = path.slice(root.length + 1);
    const slash = inside.indexOf('/');
    return slash < 0 ? path : `${root}/${inside.slice(0, slash)}`;
  };
  const graph: Graph = new Map();
  for (const [from, tos] of files) {
    const a = folder(from);
    const edges = graph.get(a) ?? new Set<string>();
    for (const to of tos) if (folder(to) !== a) edges.add(folder(to));
    graph.set(a, edges);
  }
  return graph;
}

/** Every cycle: the strongly connected components of more than one node (Tarjan), sorted. */
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** A cycle as text, with the imports that close it: "src/a -> src/b (src/a/x.ts imports src/b/y.ts)". */
export function describeCycle(cycle: string[], graph: Graph, files: Graph): string {
  const members = new Set(cycle);
  const lines = cycle.flatMap((a) =>
    [...(graph.get(a) ?? [])].filter((b) => members.has(b)).map((b) => {
      const example = [...files].flatMap(([f, tos]) => (f === a || f.startsWith(`${a}/`) ? [...tos].filter((t) => t === b || t.startsWith(`${b}/`)).map((t) => `${f} imports ${t}`) : []))[0];
      return `  ${a} -> ${b}${example && !files.has(a) ? ` (${example})` : ''}`;
    }),
  );
  return [`cycle: ${cycle.join(', ')}`, ...lines].join('\n');
}
