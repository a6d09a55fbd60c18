// Structured JSON logs, one object per line, stable keys (op, event, reason, service, pool, ip, node).
// Levels follow MetalLB's --log-level: all, debug, info, warn, error, none.
export type LogLevel = 'all' | 'debug' | 'info' | 'warn' | 'error' | 'none'
type Fields = Readonly<Record<string, unknown>>

export interface Logger {
  readonly debug: (event: string, fields?: Fields) => void
  readonly info: (event: string, fields?: Fields) => void
  readonly warn: (event: string, fields?: Fields) => void
  readonly error: (event: string, fields?: Fields) => void
  readonly child: (fields: Fields) => Logger
}

const RANK: Record<LogLevel, number> = { all: 0, debug: 1, info: 2, warn: 3, error: 4, none: 5 }

export const isLogLevel = (s: string): s is LogLevel => Object.prototype.hasOwnProperty.call(RANK, s)

const errorText = (value: unknown): unknown =>
  value instanceof Error ? { message: value.message, ...(value.stack === undefined ? {} : { stack: value.stack }) } : value

export const jsonLogger = (
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  base: Fields = {},
): Logger => {
  const emit =
    (lvl: Exclude<LogLevel, 'all' | 'none'>) =>
    (event: string, fields: Fields = {}): void => {
      if (RANK[lvl] < RANK[level]) return
      const record: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, event, ...base }
      for (const [k, v] of Object.entries(fields)) record[k] = errorText(v)
      write(`${JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`)
    }
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => jsonLogger(level, write, { ...base, ...fields }),
  }
}

export const silentLogger: Logger = jsonLogger('none', () => undefined)
