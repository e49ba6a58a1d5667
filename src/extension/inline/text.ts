// Positions in a document's text, computed from the text alone so that unit splitting can be
// tested without VS Code. Lines and characters are 0-based, characters in UTF-16 code units, as in
// vscode.Position.

export interface TextPosition {
  readonly line: number;
  readonly character: number;
}

/** Maps string offsets to line/character positions. Line breaks: \n, \r\n and \r. */
export class LineIndex {
  /** Offset where each line starts. */
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.starts.push(i + 1);
      else if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): TextPosition {
    // The last line start at or before offset.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - (this.starts[lo] as number) };
  }

  lineStart(line: number): number {
    return this.starts[line] ?? Number.POSITIVE_INFINITY;
  }
}

/** True when the text has something to classify (a letter or a digit in any script). */
export function hasContent(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
