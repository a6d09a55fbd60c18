// What every test agent's main (a process a netns spec starts in a namespace) needs: its required flags,
// and its events as JSON lines on stdout for the spec's Agent to read.

/** The value after `flag` on the command line; throws naming the flag when it is missing. */
export const arg = (flag: string): string => {
  const i = process.argv.indexOf(flag)
  const v = i < 0 ? undefined : process.argv[i + 1]
  if (v === undefined) throw new Error(`${flag} is required`)
  return v
}

/** One event, one line. */
export const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)
