// Grouping data files into datasets by their names: train.csv, dev.csv and test.csv in one folder,
// imdb_train.jsonl with imdb-test.jsonl, train/ with test/ (folder-per-label), and so on.

export type SplitRole = 'train' | 'dev' | 'test';

export interface DatasetCandidate {
  /** The file names without the split word (and its separator), else the folder's name. */
  readonly name: string;
  readonly dir: string;
  readonly train?: string;
  readonly dev?: string;
  readonly test?: string;
}

const ROLE_WORDS: Readonly<Record<string, SplitRole>> = {
  train: 'train',
  training: 'train',
  trainset: 'train',
  dev: 'dev',
  devset: 'dev',
  val: 'dev',
  valid: 'dev',
  validation: 'dev',
  validset: 'dev',
  test: 'test',
  testing: 'test',
  testset: 'test',
};

const DATA_EXTENSION = /\.(csv|tsv|tab|jsonl|ndjson|json)$/i;

interface NamedPath {
  readonly path: string;
  readonly dir: string;
  readonly base: string;
  readonly extension: string;
  readonly role?: SplitRole;
  /** The name without its split word: the key that pairs files. */
  readonly rest: string;
}

/**
 * Groups paths (files or folder-per-label folders; '/' or '\' separated) into candidate datasets.
 * Files in the same folder whose names are equal once the split word is removed form one
 * candidate. A name with no split word, or with several, is a candidate of its own, as train. When
 * a group has two files for one role (train.csv and train.jsonl), it is split by extension.
 * Candidates come sorted by folder, then name; a candidate may lack train (a lone test.csv).
 */
export function pairSplitFiles(paths: readonly string[]): DatasetCandidate[] {
  const groups = new Map<string, NamedPath[]>();
  const candidates: DatasetCandidate[] = [];
  for (const path of [...new Set(paths)].sort()) {
    const { dir, base, stem, extension } = parts(path);
    const found = roleOf(stem);
    if (found === undefined) {
      candidates.push({ name: stem, dir, train: path });
      continue;
    }
    const key = `${dir}\u0000${found.rest.toLowerCase()}`;
    const named: NamedPath = { path, dir, base, extension, role: found.role, rest: found.rest };
    groups.set(key, [...(groups.get(key) ?? []), named]);
  }
  for (const members of groups.values()) {
    const roles = members.map((m) => m.role);
    const clash = new Set(roles).size < roles.length;
    const byExtension = new Map<string, NamedPath[]>();
    for (const m of members) {
      const key = clash ? m.extension : '';
      byExtension.set(key, [...(byExtension.get(key) ?? []), m]);
    }
    for (const group of byExtension.values()) candidates.push(candidateOf(group));
  }
  return candidates.sort((a, b) => compare(a.dir, b.dir) || compare(a.name, b.name) || compare(firstPath(a), firstPath(b)));
}

function candidateOf(group: readonly NamedPath[]): DatasetCandidate {
  const first = group[0] as NamedPath;
  const candidate: { name: string; dir: string } & Partial<Record<SplitRole, string>> = {
    name: first.rest || lastSegment(first.dir) || first.base,
    dir: first.dir,
  };
  // With two files for one role in one extension group (only possible with different cases), the first wins.
  for (const m of group) if (m.role !== undefined) candidate[m.role] ??= m.path;
  return candidate;
}

function firstPath(c: DatasetCandidate): string {
  return c.train ?? c.dev ?? c.test ?? '';
}

/** Case-insensitive first, for people; then by code units, so that the order is total. */
function compare(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function parts(path: string): { dir: string; base: string; stem: string; extension: string } {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  const dir = cut < 0 ? '' : trimmed.slice(0, cut);
  const base = trimmed.slice(cut + 1);
  const ext = DATA_EXTENSION.exec(base);
  const extension = ext ? ext[0].toLowerCase() : '';
  return { dir, base, stem: ext ? base.slice(0, ext.index) : base, extension };
}

function lastSegment(dir: string): string {
  const cut = Math.max(dir.lastIndexOf('/'), dir.lastIndexOf('\\'));
  return dir.slice(cut + 1);
}

/** Words are separated by "-", "_", ".", or spaces; the split word and one separator next to it are removed. */
function roleOf(stem: string): { role: SplitRole; rest: string } | undefined {
  const words = [...stem.matchAll(/[^-_.\s]+/g)];
  const hits = words.filter((w) => ROLE_WORDS[w[0].toLowerCase()] !== undefined);
  if (hits.length !== 1) return undefined;
  const hit = hits[0] as RegExpExecArray;
  const start = hit.index;
  const end = start + hit[0].length;
  // Remove the separator before the word, else the one after it: "imdb_train" and "train_imdb" -> "imdb".
  const rest = start > 0 ? stem.slice(0, start - 1) + stem.slice(end) : stem.slice(end + 1);
  return { role: ROLE_WORDS[hit[0].toLowerCase()] as SplitRole, rest };
}
