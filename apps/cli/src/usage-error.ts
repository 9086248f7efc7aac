/** The command line itself is wrong (unknown command, missing argument, bad flag): exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to point at, e.g. `clients create`. */
    readonly command?: string,
  ) {
    super(message);
  }
}
