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
 *
 * Compile-time switches (`defines`) select whole regions of the template:
 *
 *   //#if NEED_PREV        (also `//#if !NAME`, `//#if NAME == 2`, `//#if NAME != 0`)
 *   ...
 *   //#else
 *   ...
 *   //#endif
 *
 * and are emitted as constants too (`const NEED_PREV: bool = true;`, `const IN_MODE: u32 = 1u;`).
 * Why not override constants and an ordinary `if`: a switch can change declarations too (the dense
 * kernels give a binding a fixed-size array type only where it is bound to a buffer that large),
 * and the source of each variant holds only the code it runs. On SwiftShader every branch is
 * predicated: code behind a condition false at run time still costs as much as live code
 * (docs/performance.md, `npm run bench:costs`).
 */

const DIRECTIVE = /^(\s*)\/\/#each\s+([^:]+):\s*(.*)$/;
const COND = /^\s*\/\/#(if|else|endif)\b\s*(.*)$/;

export type TileSizes = Record<string, number>;
export type Defines = Record<string, boolean | number>;

const NAME = /^[A-Z][A-Z0-9_]*$/;

function testCondition(text: string, defines: Defines, lineNo: number): boolean {
  const m = /^(!?)\s*([A-Z][A-Z0-9_]*)\s*(?:(==|!=)\s*(\d+))?\s*$/.exec(text);
  if (!m) throw new Error(`unrollWgsl: line ${lineNo}: expected "//#if NAME", "!NAME" or "NAME == N", got "${text}"`);
  const [, not, name, op, num] = m;
  if (!(name in defines)) throw new Error(`unrollWgsl: line ${lineNo}: unknown define ${name}`);
  const v = Number(defines[name]);
  if (op) {
    if (not) throw new Error(`unrollWgsl: line ${lineNo}: "!" cannot combine with a comparison`);
    return op === '==' ? v === Number(num) : v !== Number(num);
  }
  return not ? v === 0 : v !== 0;
}

export function unrollWgsl(src: string, sizes: TileSizes, defines: Defines = {}): string {
  for (const [name, n] of Object.entries(sizes)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`unrollWgsl: tile size name "${name}" must be upper case`);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error(`unrollWgsl: tile size ${name} = ${n}; expected an integer in [1, 64]`);
  }
  const out: string[] = Object.entries(sizes).map(([name, n]) => `const ${name}: u32 = ${n}u;`);
  for (const [name, v] of Object.entries(defines)) {
    if (!NAME.test(name)) throw new Error(`unrollWgsl: define name "${name}" must be upper case`);
    if (name in sizes) throw new Error(`unrollWgsl: ${name} is both a tile size and a define`);
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0))
      throw new Error(`unrollWgsl: define ${name} = ${v}; expected a boolean or a non-negative integer`);
    out.push(typeof v === 'boolean' ? `const ${name}: bool = ${v};` : `const ${name}: u32 = ${v}u;`);
  }
  // One entry per open //#if: whether its current branch is kept, and whether //#else was seen.
  const open: { keep: boolean; sawElse: boolean; line: number }[] = [];
  const keeping = () => open.every((c) => c.keep);
  src.split('\n').forEach((line, lineNo) => {
    const c = COND.exec(line);
    if (c) {
      const [, kind, rest] = c;
      if (kind === 'if') {
        open.push({ keep: testCondition(rest.trim(), defines, lineNo + 1), sawElse: false, line: lineNo + 1 });
        return;
      }
      const top = open[open.length - 1];
      if (!top) throw new Error(`unrollWgsl: line ${lineNo + 1}: //#${kind} without //#if`);
      if (rest.trim()) throw new Error(`unrollWgsl: line ${lineNo + 1}: //#${kind} takes nothing after it`);
      if (kind === 'else') {
        if (top.sawElse)
          throw new Error(`unrollWgsl: line ${lineNo + 1}: second //#else for the //#if of line ${top.line}`);
        top.sawElse = true;
        top.keep = !top.keep;
      } else open.pop();
      return;
    }
    if (!keeping()) return;
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
  if (open.length) throw new Error(`unrollWgsl: the //#if of line ${open[open.length - 1].line} has no //#endif`);
  return out.join('\n');
}
