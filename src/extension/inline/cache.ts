// Results remembered by unit text and classifier, so that an edit re-classifies only the units it
// changed, scrolling back costs nothing, and a second hover on a text is instant.
import { createHash } from 'node:crypto';

/** Least recently used entries go first once `capacity` is reached. */
export class ResultCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(classifierDir: string, text: string): T | undefined {
    const key = cacheKey(classifierDir, text);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key); // re-insert: Map order is the recency order
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(classifierDir: string, text: string, result: T): void {
    const key = cacheKey(classifierDir, text);
    this.entries.delete(key);
    this.entries.set(key, result);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** A classifier folder can be retrained in place: its old results must go. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A hash keeps the cache's memory independent of how long the texts are. */
function cacheKey(classifierDir: string, text: string): string {
  return createHash('sha256').update(classifierDir).update('\0').update(text).digest('base64');
}
