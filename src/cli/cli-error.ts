/**
 * A problem the CLI reports as one plain message, without a stack: bad input (`exitCode` 2,
 * with the usage) or a project that cannot be migrated or checked (1).
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A command, flag or value the CLI does not know: printed with the usage, exit code 2. */
export class CliUsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'CliUsageError';
  }
}
