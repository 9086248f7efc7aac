/** Deepest nesting a request body may have; client metadata needs about four levels (jwks.keys[].x). */
export const MAX_JSON_DEPTH = 32;

/**
 * Nesting depth of a JSON text, counted without recursion so hostile input
 * (`[[[[…`) cannot exhaust the stack anywhere later on.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
