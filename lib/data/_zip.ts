/**
 * A strict zip reader on top of fflate's inflate: it lists the central directory, refuses
 * entries that would escape the extraction folder (zip-slip: absolute paths, drive letters,
 * `..` segments) and a file stored twice under one name (only one of the two could be read),
 * and checks every entry's size and CRC-32, so a corrupt or truncated archive is an error
 * naming the archive and the entry, never silently wrong data.
 *
 * @module
 */

import { inflateSync } from "fflate";

/** One file or folder recorded in a zip's central directory. */
export interface ZipEntry {
  /** The entry's path inside the archive, with `/` separators. */
  name: string;
  /** Compression method: 0 stored, 8 deflate. */
  method: number;
  /** CRC-32 of the uncompressed bytes. */
  crc: number;
  /** Size in the archive. */
  compressedSize: number;
  /** Uncompressed size. */
  size: number;
  /** Offset of the entry's local header. */
  localOffset: number;
  /** General-purpose flags (bit 0: encrypted). */
  flags: number;
}

const EOCD = 0x06054b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

function corrupt(file: string, why: string): RangeError {
  return new RangeError(`corrupt zip ${file}: ${why}`);
}

/**
 * Throws a `RangeError` when a zip entry name is absolute or climbs out of the target folder.
 */
export function checkEntryName(name: string, file: string): void {
  const path = name.replaceAll("\\", "/");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || path.split("/").includes("..")) {
    throw new RangeError(
      `zip-slip refused: entry ${
        JSON.stringify(name)
      } in ${file} would be written outside the target folder ` +
        `(expected a relative path without ".." segments)`,
    );
  }
}

/**
 * Reads the central directory of a zip held in memory.
 * @returns The entries, in directory order, names checked against zip-slip and repeats.
 */
export function readZipDirectory(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const min = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= min; i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw corrupt(
      file,
      `no end-of-central-directory record in its ${bytes.length} bytes (truncated, or not a zip)`,
    );
  }
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    throw corrupt(file, "zip64 archives are not supported");
  }
  if (cdOffset + cdSize > eocd) {
    throw corrupt(
      file,
      `central directory (offset ${cdOffset}, ${cdSize} bytes) lies past its end`,
    );
  }
  const entries: ZipEntry[] = [];
  const seen = new Map<string, number>();
  const names = new TextDecoder();
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CDH) {
      throw corrupt(file, `central directory entry ${k + 1} of ${count} is damaged`);
    }
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const entry: ZipEntry = {
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
      name: names.decode(bytes.subarray(p + 46, p + 46 + nameLen)),
    };
    checkEntryName(entry.name, file);
    const before = seen.get(entry.name);
    if (before !== undefined && !entry.name.endsWith("/")) {
      throw new RangeError(
        `${file} holds two entries named ${JSON.stringify(entry.name)} (entries ${before} and ` +
          `${k + 1} of ${count}); expected each file once, since only one of them could be read`,
      );
    }
    seen.set(entry.name, k + 1);
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Decompresses one entry and checks its size and CRC-32.
 * @returns The entry's bytes.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const where = `entry "${entry.name}"`;
  if (entry.flags & 1) throw corrupt(file, `${where} is encrypted (not supported)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LFH) {
    throw corrupt(file, `${where} has no local header at offset ${at}`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) {
    throw corrupt(file, `${where} needs bytes up to ${end}, the archive has ${bytes.length}`);
  }
  const raw = bytes.subarray(start, end);
  let out: Uint8Array;
  if (entry.method === 0) out = raw.slice();
  else if (entry.method === 8) {
    try {
      out = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      throw corrupt(file, `${where} does not inflate (${(e as Error).message})`);
    }
  } else throw corrupt(file, `${where} uses compression method ${entry.method} (expected 0 or 8)`);
  if (out.length !== entry.size) {
    throw corrupt(file, `${where} inflated to ${out.length} bytes, expected ${entry.size}`);
  }
  const crc = crc32(out);
  if (crc !== entry.crc) {
    throw corrupt(
      file,
      `${where} fails its CRC-32 check (expected ${hex8(entry.crc)}, found ${hex8(crc)})`,
    );
  }
  return out;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE), as zip stores it. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
