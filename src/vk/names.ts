// Printable names for Vulkan enum values and flag bits, read once from nvk's enum objects.

/**
 * Names the values of an nvk enum (`VK_*` keys, less the `strip` prefix); the first name wins over
 * later aliases. Unknown values print as `typeName(value)`.
 */
export function enumNamer(table: object, typeName: string, strip = ""): (value: number) => string {
  const names = new Map<number, string>();
  for (const [name, value] of Object.entries(table as Record<string, unknown>)) {
    if (typeof value === "number" && name.startsWith("VK_") && !names.has(value)) names.set(value, name.slice(strip.length));
  }
  return (value) => names.get(value) ?? `${typeName}(${value})`;
}

/** The names of the set bits of `flags`, joined with "|" ("none" for 0). */
export function flagNames(flags: number, bits: Readonly<Record<string, number>>): string {
  const set = Object.entries(bits).filter(([, bit]) => (flags & bit) !== 0);
  const rest = set.reduce((left, [, bit]) => left & ~bit, flags);
  const names = set.map(([name]) => name);
  if (rest) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names.join("|") || "none";
}
