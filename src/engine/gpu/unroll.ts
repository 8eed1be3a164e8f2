/**
 * Compile-time unrolling for WGSL templates. WGSL has no macros, and the CPU-backed adapters
 * (SwiftShader) only keep a register tile in registers when every tile element is its own named
 * variable, so register-tiled kernels are written with one directive line per unrolled statement:
 *
 *   //#each u<TB, v<TJ: acc{u}_{v} += w{v} * x{u};
 *
 * expands to one copy of the statement for every u in [0, TB) and v in [0, TJ) (the last index
 * varies fastest), with {u} and {v} replaced by the numbers. The bounds name tile sizes, which are
 * also emitted as WGSL constants (`const TB: u32 = 8u;`) ahead of the source, so the rest of the
 * kernel can use them. Lines without the directive are kept as they are.
 */

const DIRECTIVE = /^(\s*)\/\/#each\s+([^:]+):\s*(.*)$/;

export type TileSizes = Record<string, number>;

export function unrollWgsl(src: string, sizes: TileSizes): string {
  for (const [name, n] of Object.entries(sizes)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`unrollWgsl: tile size name "${name}" must be upper case`);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error(`unrollWgsl: tile size ${name} = ${n}; expected an integer in [1, 64]`);
  }
  const out: string[] = Object.entries(sizes).map(([name, n]) => `const ${name}: u32 = ${n}u;`);
  src.split('\n').forEach((line, lineNo) => {
    const m = DIRECTIVE.exec(line);
    if (!m) {
      out.push(line);
      return;
    }
    const [, indent, loopsText, body] = m;
    const loops = loopsText.split(',').map((part) => {
      const lm = /^\s*([a-z])\s*<\s*([A-Z][A-Z0-9_]*)\s*$/.exec(part);
      if (!lm) throw new Error(`unrollWgsl: line ${lineNo + 1}: expected "var<SIZE", got "${part.trim()}"`);
      const n = sizes[lm[2]];
      if (n === undefined) throw new Error(`unrollWgsl: line ${lineNo + 1}: unknown tile size ${lm[2]}`);
      return { v: lm[1], n };
    });
    const emit = (depth: number, vals: Record<string, number>): void => {
      if (depth === loops.length) {
        out.push(indent + body.replace(/\{([a-z])\}/g, (s, v: string) => (v in vals ? String(vals[v]) : s)));
        return;
      }
      for (let i = 0; i < loops[depth].n; i++) emit(depth + 1, { ...vals, [loops[depth].v]: i });
    };
    emit(0, {});
  });
  return out.join('\n');
}
