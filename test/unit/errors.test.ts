import { describe, expect, it } from 'vitest';
import {
  EventLogError,
  EventLogLimitError,
  EventLogValidationError,
  isEventLogError,
  isEventLogLimitError,
  isTemplateError,
  TemplateError,
} from '../../src/errors.js';

describe('errors', () => {
  it('share a base class and carry a code', () => {
    const errors = [
      [new TemplateError('t', 'x'), 'TEMPLATE_ERROR', 'TemplateError'],
      [new EventLogValidationError('v', 'tool'), 'EVENT_LOG_INVALID', 'EventLogValidationError'],
      [new EventLogLimitError('l', 'changes', 1, 2), 'EVENT_LOG_TOO_LARGE', 'EventLogLimitError'],
    ] as const;
    for (const [error, code, name] of errors) {
      expect(error).toBeInstanceOf(EventLogError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(isEventLogError(error)).toBe(true);
    }
  });

  it('are told apart by their guards', () => {
    expect(isTemplateError(new TemplateError('t'))).toBe(true);
    expect(isTemplateError(new EventLogValidationError('v'))).toBe(false);
    expect(isEventLogLimitError(new EventLogLimitError('l', 'f', 1, 2))).toBe(true);
    expect(isEventLogError(new Error('plain'))).toBe(false);
  });
});
