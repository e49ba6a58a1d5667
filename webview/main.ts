// Webview entry point (Layer Explorer, neuron view). Runs in the webview's browser context.
export {};
