// A small flag parser for the CLI: `--name value`, `--name=value`, switches without a value
// (`--help`, or `-h` for a switch whose name starts with h), and positional arguments. Unknown flags
// are errors, single-dash ones too, so a typo never silently changes what a command does or
// becomes a path.
interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string>
  /** The switches given, by their long name. */
  readonly switches: ReadonlySet<string>
  readonly positional: readonly string[]
}

type ArgsResult = { readonly ok: true; readonly args: ParsedArgs } | { readonly ok: false; readonly error: string }

export const parseArgs = (argv: readonly string[], known: readonly string[], knownSwitches: readonly string[] = []): ArgsResult => {
  const flags = new Map<string, string>()
  const switches = new Set<string>()
  const positional: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    // "-" alone is a path by convention (standard input); "-x" is a short switch.
    if (arg.startsWith('-') && !arg.startsWith('--') && arg.length > 1) {
      const long = arg.length === 2 ? knownSwitches.find((s) => s[0] === arg[1]) : undefined
      if (long === undefined) return { ok: false, error: `unknown flag ${arg}` }
      switches.add(long)
      continue
    }
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    if (knownSwitches.includes(name)) {
      if (eq >= 0) return { ok: false, error: `flag --${name} takes no value` }
      switches.add(name)
      continue
    }
    if (!known.includes(name)) return { ok: false, error: `unknown flag --${name}` }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined) return { ok: false, error: `flag --${name} needs a value` }
    flags.set(name, value)
  }
  return { ok: true, args: { flags, switches, positional } }
}
