/**
 * The URL codec: an experiment <-> "1.<base64url(deflate(minified JSON))>". The leading "1." is
 * the codec format tag (not the experiment version, which lives inside the JSON). Decoding never
 * throws and caps sizes before and during decompression.
 */
import { Inflate, deflateSync, strToU8 } from 'fflate';
import type { Experiment, Result } from './types';
import { parseExperiment } from './validate';

export const CODEC_FORMAT = 1;
export const MAX_ENCODED_BYTES = 64 * 1024;
export const MAX_DECODED_BYTES = 1024 * 1024;
/** The hash parameter that carries an experiment: `#e=1.xxxx`. */
export const HASH_KEY = 'e';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export function encodeExperiment(exp: Experiment): string {
  const bytes = deflateSync(strToU8(JSON.stringify(exp)), { level: 9 });
  return `${CODEC_FORMAT}.${toBase64Url(bytes)}`;
}

/** The `#e=...` hash of an experiment's URL. */
export function experimentHash(exp: Experiment): string {
  return `#${HASH_KEY}=${encodeExperiment(exp)}`;
}

export function decodeExperiment(s: string): Result<Experiment> {
  const bytes = decodeToJson(s);
  if (!bytes.ok) return bytes;
  let json: unknown;
  try {
    json = JSON.parse(bytes.value);
  } catch (e) {
    return fail(`the decoded experiment is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseExperiment(json);
}

/**
 * An experiment from a full URL ("https://host/path#e=1.xxx"), a hash ("#e=1.xxx"), a
 * parameter string ("e=1.xxx") or a bare encoded string ("1.xxx").
 */
export function experimentFromUrl(input: string): Result<Experiment> {
  if (typeof input !== 'string') return fail(`expected a URL or "#${HASH_KEY}=..." string, got ${typeof input}`);
  const text = input.trim();
  if (text.length > MAX_ENCODED_BYTES + 4096) return tooLong(text.length);
  const value = findParam(text);
  if (value === undefined) {
    return fail(`no "${HASH_KEY}=" parameter found; expected a URL ending in "#${HASH_KEY}=${CODEC_FORMAT}.<data>"`);
  }
  return decodeExperiment(value);
}

function findParam(text: string): string | undefined {
  if (/^\d+\./.test(text)) return text;
  const parts: string[] = [];
  const hash = text.indexOf('#');
  if (hash >= 0) parts.push(text.slice(hash + 1));
  const query = text.indexOf('?');
  if (query >= 0) parts.push(text.slice(query + 1, hash > query ? hash : undefined));
  if (hash < 0 && query < 0) parts.push(text);
  for (const part of parts) {
    for (const pair of part.split('&')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && pair.slice(0, eq) === HASH_KEY) {
        const v = pair.slice(eq + 1);
        try {
          return decodeURIComponent(v);
        } catch {
          return v;
        }
      }
    }
  }
  return undefined;
}

function fail(message: string, path = 'url'): { ok: false; errors: { path: string; message: string }[] } {
  return { ok: false, errors: [{ path, message }] };
}

function tooLong(n: number) {
  return fail(`the encoded experiment is ${n} characters; the limit is ${MAX_ENCODED_BYTES}`);
}

/** Tag check, base64url, capped inflate and UTF-8: the JSON text, or a specific error. */
function decodeToJson(raw: string): Result<string> {
  if (typeof raw !== 'string') return fail(`expected a string, got ${typeof raw}`);
  const s = raw.trim();
  if (s.length > MAX_ENCODED_BYTES) return tooLong(s.length);
  const m = /^(\d+)\.(.*)$/s.exec(s);
  if (!m) return fail(`expected a format tag such as "${CODEC_FORMAT}." at the start, got "${s.slice(0, 12)}"`);
  const format = Number(m[1]);
  if (format > CODEC_FORMAT)
    return fail(
      `link format ${format} is newer than this playground supports (${CODEC_FORMAT}); update the playground to open it`,
    );
  if (format !== CODEC_FORMAT) return fail(`unknown link format ${m[1]}; expected ${CODEC_FORMAT}`);
  const bytes = fromBase64Url(m[2]);
  if (typeof bytes === 'string') return fail(bytes);
  if (bytes.length === 0) return fail('the link holds no data after the format tag');
  const inflated = inflateCapped(bytes, MAX_DECODED_BYTES);
  if (typeof inflated === 'string') return fail(inflated);
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(inflated) };
  } catch {
    return fail('the decompressed experiment is not valid UTF-8 text');
  }
}

/** Inflates in small input chunks and stops as soon as the output passes `cap` bytes. */
function inflateCapped(input: Uint8Array, cap: number): Uint8Array | string {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  let over = false;
  const inf = new Inflate((data, final) => {
    total += data.length;
    if (total > cap) over = true;
    else chunks.push(data);
    if (final) done = true;
  });
  const STEP = 256; // deflate expands at most ~1032x, so one chunk adds well under a MiB past the cap
  try {
    for (let i = 0; i < input.length && !over; i += STEP) {
      const end = Math.min(input.length, i + STEP);
      inf.push(input.subarray(i, end), end === input.length);
    }
  } catch (e) {
    if (over) return overCap(cap);
    return `the compressed data is truncated or corrupt (${e instanceof Error ? e.message : String(e)})`;
  }
  if (over) return overCap(cap);
  if (!done) return 'the compressed data is truncated (the deflate stream does not end)';
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function overCap(cap: number): string {
  return `the experiment decompresses to more than ${cap} bytes (${cap / 1024} KiB), the limit; it cannot be a valid experiment link`;
}

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    if (left > 1) out += B64[(n >> 6) & 63];
    if (left > 2) out += B64[n & 63];
  }
  return out;
}

/** Bytes, or a message naming the first bad character. Accepts no padding ('=' is refused). */
export function fromBase64Url(s: string): Uint8Array | string {
  if (s.length % 4 === 1)
    return `the link data has an impossible length (${s.length} characters); it was probably cut off`;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B64_INDEX.get(s[i]);
    if (v === undefined)
      return `the link data is not base64url: unexpected character ${JSON.stringify(s[i])} at position ${i + 1}`;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}
