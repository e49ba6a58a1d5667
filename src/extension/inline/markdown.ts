// Markdown built from document text and classifier data. Every piece of text from outside is
// escaped, so a document cannot inject links, HTML or formatting into a hover.

/** Every ASCII punctuation character gets a backslash: CommonMark allows escaping each of them,
 *  which rules out links, autolinks, HTML, emphasis, tables and code. Whitespace runs become one
 *  space so that indentation and blank lines cannot start code blocks or paragraphs. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/** A link that runs an extension command with JSON arguments. Only commands the hover's
 *  MarkdownString enables can run. */
export function commandLink(title: string, command: string, args: readonly unknown[], tooltip: string): string {
  const query = encodeURIComponent(JSON.stringify(args)).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
  return `[${escapeMarkdown(title)}](command:${command}?${query} "${tooltip.replace(/["\\]/g, '')}")`;
}

/** A proportion as a bar of block characters, eighths included: 0.5 -> "█████". */
export function bar(proportion: number, width = 10): string {
  const eighths = Math.round(Math.min(1, Math.max(0, proportion)) * width * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8] as string;
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}
