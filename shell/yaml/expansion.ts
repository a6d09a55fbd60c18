// How big a parsed YAML document becomes once its aliases are expanded, checked before anything
// turns it into objects. The yaml package's own guard (maxAliasCount) counts aliases, so it refuses
// a legitimate file that names one scalar 101 times; what costs is size: every later step walks the
// expanded tree, and ten levels of ten aliases (a "billion laughs") are 10^10 values from 300 bytes.
// So an expanded document may be at most EXPANSION_FACTOR times its own text, or EXPANSION_FLOOR
// when that is larger; without aliases it never comes near either. Also refused here: an alias
// inside the node it names (the objects would be cyclic) and nesting deeper than MAX_DEPTH.
import { type Document, type Node, isAlias, isCollection, isPair, isScalar } from 'yaml'

/** Size is counted in values plus the characters of string scalars: roughly the expanded text. */
const EXPANSION_FACTOR = 10
export const EXPANSION_FLOOR = 1_000_000
/** Far deeper than any Kubernetes object, and shallow enough for recursive code downstream. */
export const MAX_DEPTH = 500

interface ExpansionProblem {
  /** Offset in the text of the node at fault, for its line. */
  readonly offset: number
  readonly detail: string
}

interface Anchored {
  /** Undefined while the anchored node is still being walked: an alias to it then is a cycle. */
  size: number | undefined
}

interface Frame {
  readonly children: readonly unknown[]
  next: number
  size: number
  readonly depth: number
  readonly offset: number
  readonly anchor: Anchored | undefined
}

const tooLarge = (offset: number, limit: number): ExpansionProblem => ({
  offset,
  detail: `expands to more than ${limit} values and characters with its aliases expanded (the limit is ${EXPANSION_FACTOR} times the document's text, at least ${EXPANSION_FLOOR})`,
})

const childrenOf = (node: unknown): readonly unknown[] =>
  isCollection(node) ? node.items : isPair(node) ? [node.key, node.value] : []

const offsetOf = (node: unknown, fallback: number): number =>
  isPair(node) ? offsetOf(node.key, fallback) : ((node as Node | null)?.range?.[0] ?? fallback)

/**
 * Walks the document once, in document order (the order in which an alias finds its anchor: the
 * last one before it), with an explicit stack so that deep input cannot overflow this walk.
 * Anchored nodes are sized once; an alias adds its target's size.
 */
export const expansionProblem = (doc: Document.Parsed): ExpansionProblem | undefined => {
  const [start, , end] = doc.range
  const limit = Math.max(EXPANSION_FLOOR, EXPANSION_FACTOR * (end - start))
  const anchors = new Map<string, Anchored>()
  const stack: Frame[] = [{ children: [doc.contents], next: 0, size: 0, depth: 0, offset: start, anchor: undefined }]
  for (;;) {
    const frame = stack[stack.length - 1]
    if (frame === undefined) return undefined
    if (frame.next >= frame.children.length) {
      stack.pop()
      if (frame.anchor !== undefined) frame.anchor.size = frame.size
      const parent = stack[stack.length - 1]
      if (parent === undefined) return undefined
      parent.size += frame.size
      if (parent.size > limit) return tooLarge(frame.offset, limit)
      continue
    }
    const child = frame.children[frame.next++]
    if (child === null || child === undefined) continue
    const at = offsetOf(child, start)
    let size: number
    if (isAlias(child)) {
      const target = anchors.get(child.source)
      if (target === undefined) return { offset: at, detail: `alias *${child.source} names no anchor before it` }
      if (target.size === undefined) return { offset: at, detail: `alias *${child.source} is inside the node it names (a cycle)` }
      size = target.size
    } else if (isScalar(child)) {
      size = 1 + (typeof child.value === 'string' ? child.value.length : 0)
      if (child.anchor !== undefined) anchors.set(child.anchor, { size })
    } else {
      const depth = frame.depth + (isPair(child) ? 0 : 1)
      if (depth > MAX_DEPTH) return { offset: at, detail: `nested deeper than ${MAX_DEPTH} levels` }
      const anchorName = isCollection(child) ? child.anchor : undefined
      const anchor: Anchored | undefined = anchorName === undefined ? undefined : { size: undefined }
      if (anchorName !== undefined && anchor !== undefined) anchors.set(anchorName, anchor)
      stack.push({ children: childrenOf(child), next: 0, size: isPair(child) ? 0 : 1, depth, offset: at, anchor })
      continue
    }
    frame.size += size
    // Sizes only grow toward the root, so the first frame over the limit settles it.
    if (frame.size > limit) return tooLarge(at, limit)
  }
}
