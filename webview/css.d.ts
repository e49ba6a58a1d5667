// esbuild bundles imported CSS into dist/webview.css beside dist/webview.js.
declare module '*.css';
