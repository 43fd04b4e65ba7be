// Aho-Corasick automaton for "value contains any of these N literals" (Sigma value lists of `contains`).
// Invariant: one pass over the value whatever N is, so rules listing hundreds of needles stay linear.

export type ContainsAny = (text: string) => boolean;

/** Below this many needles, repeated `includes` is as fast and allocates nothing. */
export const AUTOMATON_MIN_NEEDLES = 8;

export function containsAny(needles: readonly string[]): ContainsAny {
  if (needles.some((n) => n.length === 0)) return () => true;
  if (needles.length < AUTOMATON_MIN_NEEDLES) {
    return (text) => {
      for (const n of needles) if (text.includes(n)) return true;
      return false;
    };
  }
  // Trie over UTF-16 code units; node 0 is the root.
  const next: Array<Map<number, number>> = [new Map()];
  const fail: number[] = [0];
  const out: boolean[] = [false];
  for (const n of needles) {
    let node = 0;
    for (let i = 0; i < n.length; i++) {
      const c = n.charCodeAt(i);
      let to = next[node]!.get(c);
      if (to === undefined) {
        to = next.length;
        next.push(new Map());
        fail.push(0);
        out.push(false);
        next[node]!.set(c, to);
      }
      node = to;
    }
    out[node] = true;
  }
  // Breadth-first failure links; a node is terminal when any suffix of its path is a needle.
  const queue: number[] = [];
  for (const to of next[0]!.values()) queue.push(to);
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi]!;
    for (const [c, to] of next[node]!) {
      let f = fail[node]!;
      while (f !== 0 && !next[f]!.has(c)) f = fail[f]!;
      const target = next[f]!.get(c);
      fail[to] = target !== undefined && target !== to ? target : 0;
      if (out[fail[to]!]) out[to] = true;
      queue.push(to);
    }
  }
  return (text) => {
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let to = next[node]!.get(c);
      while (to === undefined && node !== 0) {
        node = fail[node]!;
        to = next[node]!.get(c);
      }
      node = to ?? 0;
      if (out[node]) return true;
    }
    return false;
  };
}
