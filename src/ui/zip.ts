/**
 * A store-only ZIP writer (no compression): local file headers, the central directory and its end
 * record, with CRC-32 per file and UTF-8 names (general-purpose flag bit 11). Enough for the page
 * to hand over a folder of generated files in one download; any unzip tool reads it. At most
 * 65535 files and 4 GiB in all (no ZIP64).
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, reflected, as ZIP and gzip use) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS time and date fields of a local time (1980 at the earliest). */
function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, no leading '/'. */
  name: string;
  data: Uint8Array;
  /** Unix permission bits (default 0o644; 0o755 for a script to run). */
  mode?: number;
}

/** The bytes of a ZIP archive holding `entries` uncompressed, stamped with `modified`. */
export function zipStore(entries: readonly ZipEntry[], modified = new Date()): Uint8Array {
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} files; at most 65535`);
  const utf8 = new TextEncoder();
  const { time, date } = dosTime(modified);
  const names = entries.map((e) => {
    if (!e.name || e.name.startsWith('/') || e.name.split('/').includes('..'))
      throw new Error(`zip: bad file name "${e.name}"`);
    return utf8.encode(e.name);
  });
  const crcs = entries.map((e) => crc32(e.data));
  const localSize = entries.reduce((n, e, i) => n + 30 + names[i].length + e.data.length, 0);
  const centralSize = names.reduce((n, name) => n + 46 + name.length, 0);
  if (localSize + centralSize + 22 > 0xffffffff) throw new Error('zip: over 4 GiB');
  const out = new Uint8Array(localSize + centralSize + 22);
  const dv = new DataView(out.buffer);
  let p = 0;
  const u16 = (v: number) => {
    dv.setUint16(p, v, true);
    p += 2;
  };
  const u32 = (v: number) => {
    dv.setUint32(p, v, true);
    p += 4;
  };
  /** The fields local and central headers share: version needed .. name length. */
  const common = (i: number) => {
    u16(20); // version needed: 2.0
    u16(0x0800); // flags: UTF-8 names
    u16(0); // method: stored
    u16(time);
    u16(date);
    u32(crcs[i]);
    u32(entries[i].data.length); // compressed size
    u32(entries[i].data.length); // uncompressed size
    u16(names[i].length);
  };
  const offsets: number[] = [];
  entries.forEach((e, i) => {
    offsets.push(p);
    u32(0x04034b50);
    common(i);
    u16(0); // extra field length
    out.set(names[i], p);
    p += names[i].length;
    out.set(e.data, p);
    p += e.data.length;
  });
  const centralStart = p;
  entries.forEach((e, i) => {
    u32(0x02014b50);
    u16(0x031e); // made by: Unix, spec 3.0
    common(i);
    u16(0); // extra field length
    u16(0); // comment length
    u16(0); // disk number
    u16(0); // internal attributes
    u32(((0o100000 | (e.mode ?? 0o644)) << 16) >>> 0); // external attributes: a regular file and its mode
    u32(offsets[i]);
    out.set(names[i], p);
    p += names[i].length;
  });
  const centralBytes = p - centralStart;
  u32(0x06054b50);
  u16(0); // this disk
  u16(0); // disk with the central directory
  u16(entries.length);
  u16(entries.length);
  u32(centralBytes);
  u32(centralStart);
  u16(0); // comment length
  return out;
}
