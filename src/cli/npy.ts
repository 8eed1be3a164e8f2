/**
 * NumPy's .npy format (version 1.0) for little-endian float64 arrays, C order: the magic
 * "\x93NUMPY", the version, a header length and a Python-literal header dict padded with spaces
 * to a multiple of 64 bytes, then the raw values. Enough for the torch export to ship data and
 * weights, and for its test to read the weights back.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The .npy bytes of `values` with `shape` (product of shape = values.length). */
export function npyFloat64(values: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length)
    throw new Error(`npy: shape [${shape.join(', ')}] holds ${count} values, got ${values.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 4 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(MAGIC.length + 4 + headerBytes.length + 8 * values.length);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  const view = new DataView(out.buffer, 10 + headerBytes.length);
  for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i], true);
  return out;
}

/** Reads a little-endian float64 C-order .npy file (version 1 or 2): its shape and values. */
export function readNpyFloat64(bytes: Uint8Array): { shape: number[]; values: Float64Array } {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new Error('npy: not a .npy file (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  if (!/'descr':\s*'<f8'/.test(header)) throw new Error(`npy: expected little-endian float64, header ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('npy: Fortran order is not supported');
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!m) throw new Error(`npy: no shape in header ${header.trim()}`);
  const shape = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = start + headerLen;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = dv.getFloat64(body + 8 * i, true);
  return { shape, values };
}
