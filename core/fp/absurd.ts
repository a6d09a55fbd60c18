// Exhaustiveness guard for switches over tagged unions: adding a case without handling it is a
// compile error where this is called.
export const absurd = (x: never): never => {
  throw new Error(`unreachable: ${JSON.stringify(x)}`)
}
