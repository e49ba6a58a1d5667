// What activate() returns: a small API for the extension tests (test/vscode), so that they can
// drive what a person does through quick picks and observe what is drawn in editors.
import type { ActiveClassifier } from './context';
import type { ExplorerApi } from './explorer/deps';
import type { InlineApi } from './inline/deps';
import type { TrainRequest } from './train/run';
import type { TrainReply } from '../worker/protocol';

export interface StcTestApi {
  activeClassifier(): ActiveClassifier | undefined;
  /** Trains like "Train STC on Workspace Data" without its quick picks; undefined when cancelled. */
  trainOnFiles(request: TrainRequest): Promise<TrainReply | undefined>;
  /** The classifiers the models view lists, as it lists them. */
  listClassifiers(): Promise<{ dir: string; name: string; error?: string }[]>;
  /** Evaluates a saved classifier on a data file and returns the report opened in an editor. */
  evaluate(dir: string, data: string): Promise<string | undefined>;
  deleteClassifier(dir: string): Promise<void>;
  /** The worker's process id, undefined when it is not running. */
  workerPid(): number | undefined;
  /** Inline classification: the labels drawn per document, and a refresh without the debounce. */
  readonly inline: InlineApi;
  /** The Layer Explorer and neuron view: what was last posted to them. */
  readonly explorer: ExplorerApi;
}
