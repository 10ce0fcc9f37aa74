// The fenced code blocks of a Markdown file, with where they are, so that a test can run
// them and, on request, write the answers it got back into the file.

export interface FencedBlock {
  /** The info string's first word: `graphql`, `json`, `ts`, `sh`, ... */
  lang: string;
  /** The content, with the fence's indentation removed. */
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Indentation of the fence (blocks inside list items). */
  indent: string;
  /** Character offsets of the content (from the line after the opening fence to the closing fence's line). */
  start: number;
  end: number;
}

const opening = /^( *)```(\w*)[^`]*$/;

export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = markdown.split('\n');
  let offset = 0;
  let open: { lang: string; line: number; indent: string; start: number; body: string[] } | null =
    null;
  for (const [index, line] of lines.entries()) {
    const next = offset + line.length + 1;
    if (open) {
      if (line.trim() === '```' && line.startsWith(open.indent)) {
        blocks.push({
          lang: open.lang,
          text: open.body.join('\n'),
          line: open.line,
          indent: open.indent,
          start: open.start,
          end: offset,
        });
        open = null;
      } else {
        open.body.push(line.startsWith(open.indent) ? line.slice(open.indent.length) : line);
      }
    } else {
      const match = opening.exec(line);
      if (match) {
        open = {
          indent: match[1] ?? '',
          lang: match[2] ?? '',
          line: index + 1,
          start: next,
          body: [],
        };
      }
    }
    offset = next;
  }
  if (open) throw new Error(`The code block opened at line ${open.line} is never closed.`);
  return blocks;
}

/** Replaces the contents of `blocks` (by their offsets) with the given texts. */
export function replaceBlocks(
  markdown: string,
  replacements: { block: FencedBlock; text: string }[],
): string {
  let result = markdown;
  for (const { block, text } of [...replacements].sort((a, b) => b.block.start - a.block.start)) {
    const body = text
      .split('\n')
      .map((line) => (line ? block.indent + line : line))
      .join('\n');
    result = `${result.slice(0, block.start)}${body}\n${result.slice(block.end)}`;
  }
  return result;
}
