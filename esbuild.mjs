// Bundles the Node entry points (extension host, worker, CLI) and the webview browser bundle.
// `vscode` is provided by the host; native modules (onnxruntime-node, sharp) load their binaries
// from node_modules at run time, so they stay external.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'info',
  legalComments: 'linked',
};

/** @type {esbuild.BuildOptions} */
const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', 'onnxruntime-node', 'sharp', 'onnxruntime-web'],
  entryPoints: {
    extension: 'src/extension/main.ts',
    worker: 'src/worker/main.ts',
    // Loaded by src/core/learn/pool.ts as `learn-worker.js` next to the bundle that uses the pool.
    'learn-worker': 'src/core/learn/pool-worker.ts',
  },
  outdir: 'dist',
};

/** @type {esbuild.BuildOptions} */
const cli = { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } };

/** @type {esbuild.BuildOptions} */
const webview = {
  ...common,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  entryPoints: { webview: 'webview/main.ts' },
  outdir: 'dist',
};

if (watch) {
  const contexts = await Promise.all([node, cli, webview].map((o) => esbuild.context(o)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all([node, cli, webview].map((o) => esbuild.build(o)));
}
