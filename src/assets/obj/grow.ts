// Growable typed arrays: the parser fills plain typed arrays and doubles them when full, so a large
// file costs a few reallocations rather than one object per element.

type Growable = Float32Array | Int32Array | Uint32Array;

/** A copy of `a` at least `need` elements long (doubling), contents kept, new elements zero. */
export function grow<T extends Growable>(a: T, need: number): T {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
