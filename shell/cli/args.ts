// A small flag parser for the CLI: `--name value`, `--name=value`, and positional arguments.
// Unknown flags are errors, so a typo never silently changes what a command does.
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string>
  readonly positional: readonly string[]
}

export type ArgsResult = { readonly ok: true; readonly args: ParsedArgs } | { readonly ok: false; readonly error: string }

export const parseArgs = (argv: readonly string[], known: readonly string[]): ArgsResult => {
  const flags = new Map<string, string>()
  const positional: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    if (!known.includes(name)) return { ok: false, error: `unknown flag --${name}` }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined) return { ok: false, error: `flag --${name} needs a value` }
    flags.set(name, value)
  }
  return { ok: true, args: { flags, positional } }
}
