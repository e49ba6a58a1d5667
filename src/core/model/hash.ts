// SHA-256 of model files. A model is identified by the content of its files, not its path, so a
// feature store or a trained classifier never silently pairs with a different model.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

// Hashing a large model takes seconds; a process re-resolves the same model often.
const memo = new Map<string, string>();

export function sha256File(file: string): string {
  const st = fs.statSync(file);
  const memoKey = `${file}\0${st.size}\0${st.mtimeMs}`;
  const known = memo.get(memoKey);
  if (known) return known;
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 22);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  const digest = hash.digest('hex');
  memo.set(memoKey, digest);
  return digest;
}
