// Command-line problems that are not about the numbers: unknown options, missing files.
// Like the core's InputError, each has a stable code and sets the exit status.

export type UsageErrorCode = 'usage' | 'file';

export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(message: string, readonly code: UsageErrorCode = 'usage') {
    super(message);
  }
}

/** Exit statuses: 1 for input the core rejected, 2 for a bad command line or unreadable file. */
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;
