// Webview entry point for both the Layer Explorer view and the neuron panel: the host's HTML
// names the view in <body data-view>; messages go through host.ts, which checks them.
import './styles.css';
import { ExplorerView } from './explorer';
import { onHostMessage, post, reportErrors } from './host';
import { NeuronView } from './neuron';

reportErrors();
const root = document.getElementById('app');
if (!root) throw new Error('the webview page has no #app element');
const view = document.body.dataset.view === 'neuron' ? new NeuronView(root) : new ExplorerView(root);
onHostMessage((message) => view.handle(message));
post({ type: 'ready' });
