// Lists a collection in pages (`limit` and `continue`), as client-go's pager does. Unpaged, a list of
// 20,000 Services was one response body (34 MiB of buffers alone), held as bytes, then as text, then
// parsed whole before the cache kept its small projections: the controller's peak at a restart. Paged, only
// one page is held at a time. Every page is read at the first page's resourceVersion, so the pages
// together are one consistent snapshot and the watch can start from that version.
import { ApiError, type RequestOptions, type RestClient, ensureOk } from './rest.js'

/** client-go's default page size. */
const LIST_PAGE_SIZE = 500

interface PagedListing<T> {
  /** What `keep` made of every item, by the key it gave; a later duplicate key wins. */
  readonly items: Map<string, T>
  readonly resourceVersion: string
  /** Pages read, the last included. */
  readonly pages: number
  /** Whether a continue token expired mid-way and the list was made again in one piece. */
  readonly unpaged: boolean
}

type Query = NonNullable<RequestOptions['query']>

interface ListBody {
  readonly items?: readonly unknown[]
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string }
}

/**
 * The whole collection at `path`, `pageSize` items per request. A continue token outlives etcd's
 * compaction by no more than about five minutes; when it has expired (410), the list is made again
 * without pages, as client-go does, rather than failing the start-up of a large cluster forever.
 */
export const listInPages = async <T>(
  rest: RestClient,
  path: string,
  query: Query,
  keep: (item: unknown) => readonly [string, T],
  pageSize: number = LIST_PAGE_SIZE,
): Promise<PagedListing<T>> => {
  const items = new Map<string, T>()
  let token: string | undefined
  let pages = 0
  for (;;) {
    let body: ListBody
    try {
      const res = await rest.request('GET', path, { query: { ...query, limit: pageSize, continue: token } })
      body = ensureOk(res, `list ${path}`).body as ListBody
    } catch (err) {
      if (token === undefined || !(err instanceof ApiError) || err.status !== 410) throw err
      return { ...(await listWhole(rest, path, query, keep)), pages: pages + 1, unpaged: true }
    }
    pages++
    keepAll(items, body, keep)
    const next = body.metadata?.continue
    // A server answering the same token again would loop here for ever.
    if (next !== undefined && next !== '' && next === token) throw new Error(`list ${path}: the server gave back the continue token it was sent`)
    token = next
    if (token === undefined || token === '') return { items, resourceVersion: body.metadata?.resourceVersion ?? '', pages, unpaged: false }
  }
}

const keepAll = <T>(into: Map<string, T>, body: ListBody, keep: (item: unknown) => readonly [string, T]): void => {
  for (const item of body.items ?? []) {
    const [key, kept] = keep(item)
    into.set(key, kept)
  }
}

const listWhole = async <T>(rest: RestClient, path: string, query: Query, keep: (item: unknown) => readonly [string, T]): Promise<{ items: Map<string, T>; resourceVersion: string }> => {
  const body = ensureOk(await rest.request('GET', path, { query }), `list ${path}`).body as ListBody
  const items = new Map<string, T>()
  keepAll(items, body, keep)
  return { items, resourceVersion: body.metadata?.resourceVersion ?? '' }
}
