/**
 * Keyset pages from every db merged into one: each db returned its first `limit` rows after the
 * same position, so the first `limit` of them all, in address order, are the page.
 */
export function mergeByAddress<T extends { address: string }>(pages: readonly (readonly T[])[], limit: number): T[] {
  return pages
    .flat()
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
    .slice(0, limit);
}
