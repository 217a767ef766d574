// `npm run build`'s second step, after tsc: the CLI bundled with esbuild into
// dist/src/cli/main.js, over tsc's output of the same file (that path is the one every runner of
// the CLI uses), and its chunks in dist/src/cli/chunks/. A command then loads a few dozen files
// instead of some 375 (docs/BENCHMARKS.md, "CLI start-up"). Each dynamic import() stays lazy:
// code splitting makes it a chunk of its own. Source maps point at src/*.ts: stacks show those
// lines (src/cli/source-maps.ts).
//
// What the bundle leaves to node_modules at run time, resolved from the chunk's own place as
// node resolves any package (so it works wherever the package is installed):
// - native addons (ssh2's optional crypto binding): kept as `require('<package>/<path>.node')`;
// - cpu-features (ssh2's optional, native too): kept as `require('cpu-features')`;
// - what orbis itself loads with createRequire (Handlebars, diff): esbuild does not follow it.
// The code that finds orbis's data (packageRoot(): roles/, templates/, src/pi, conf/) walks up
// from import.meta.url to the package's root, so it finds them from a chunk as from tsc's output.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(root, 'dist', 'src', 'cli');

/** `require('./x.node')` of a package in node_modules -> `require('<package>/<path>/x.node')`. */
const nativeAddons = {
  name: 'native-addons',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      const parts = relative(root, join(args.resolveDir, args.path)).split(sep);
      const at = parts.lastIndexOf('node_modules');
      if (at < 0) return { errors: [{ text: `${args.path}: a native addon outside node_modules` }] };
      return { path: parts.slice(at + 1).join('/'), external: true };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Positions are all a stack needs (src/cli/source-maps.ts), in maps a quarter the size; the
  // sources themselves are in src/, beside dist/.
  sourcesContent: false,
  // Less text for node to read and V8 to scan: some 40 ms off a check's start here. Names stay
  // (stacks and error names read as in the source), and lines short: node prints the line a
  // crash came from above its stack.
  minifyWhitespace: true,
  minifySyntax: true,
  lineLimit: 120,
  external: ['cpu-features'],
  plugins: [nativeAddons],
  // The CommonJS packages bundled (commander, ssh2, ...) call require() for node's own modules and
  // ssh2 reads __dirname and __filename as it loads (its WebAssembly poly1305, Windows' pageant):
  // an ES module has none of them, so each output file makes its own.
  banner: {
    js: [
      "import { createRequire as __orbisCreateRequire } from 'node:module';",
      "import { dirname as __orbisDirname } from 'node:path';",
      "import { fileURLToPath as __orbisFileURLToPath } from 'node:url';",
      'const require = __orbisCreateRequire(import.meta.url);',
      'const __filename = __orbisFileURLToPath(import.meta.url);',
      'const __dirname = __orbisDirname(__filename);',
    ].join('\n'),
  },
  logLevel: 'warning',
  metafile: true,
});

// Chunks are named by their content, so an earlier build's would stay behind, unused: removed
// after the new ones are written (not before: a CLI started meanwhile, by a test or by someone
// else building in the same checkout, finds every chunk it imports).
const chunks = join(outdir, 'chunks');
const written = new Set(Object.keys(result.metafile.outputs).map((p) => join(root, p)));
for (const name of readdirSync(chunks)) if (!written.has(join(chunks, name))) rmSync(join(chunks, name));
