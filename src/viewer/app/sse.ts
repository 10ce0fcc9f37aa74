export interface SseEvent {
  /** `next`, `complete`, …; `message` when the server named none. */
  event: string;
  data: string;
}

/**
 * A text/event-stream parser fed chunks as they arrive, split anywhere: lines end with
 * LF, CRLF or CR; `:` lines (keep-alives) name no field and are skipped; a blank line ends an event.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private pendingCr = false;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: string): void {
    let text = chunk;
    // A CR ending the last chunk ended its line; an LF starting this one belongs to it.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0 || this.event) {
        this.onEvent({ event: this.event || 'message', data: this.data.join('\n') });
      }
      this.event = '';
      this.data = [];
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
