/**
 * Official SHA-256 sums checked as the files are read: a data folder is wrapped so that each
 * read is hashed (once, with the bytes the parsers then use, so nothing is read twice to be
 * verified), and with expected sums a file that differs is an error naming it. Files read
 * later, such as ml-100k's predefined splits, are checked when they are read; files the loader
 * never reads (a README, ml-100k's scripts) are read once to be checked.
 *
 * @module
 */

import { sha256Hex } from "./_hash.ts";
import type { DataFiles } from "./_source.ts";

/** The official SHA-256 of a release's files, and which of them must be present. */
export interface FileChecksums {
  /** SHA-256 of files, by base name. */
  files: Record<string, string>;
  /**
   * The files that must be present; the others in `files` are checked where present.
   * @default {every file in `files`}
   */
  required?: readonly string[];
}

/** @returns The files of `sums` that must be present. */
export function requiredFiles(sums: FileChecksums): readonly string[] {
  return sums.required ?? Object.keys(sums.files);
}

/** Throws a `RangeError` when a file's SHA-256 differs from the expected one. */
export function checkSha256(bytes: Uint8Array, expected: string, label: string, fix: string) {
  const found = sha256Hex(bytes);
  if (found !== expected) {
    throw new RangeError(
      `checksum mismatch for ${label}: expected sha256 ${expected}, found ${found} ` +
        `(the file is damaged or from another release); ${fix}`,
    );
  }
}

/**
 * Throws a `Deno.errors.NotFound` naming the first required file that is missing.
 */
export function checkRequired(files: DataFiles, sums: FileChecksums, fix: string): void {
  for (const name of requiredFiles(sums)) {
    if (!files.names.has(name)) {
      throw new Deno.errors.NotFound(`${name} is missing in ${files.path}; ${fix}`);
    }
  }
}

/** What a read is checked against: the sums, and what to do about a mismatch. */
export interface Expected {
  /** SHA-256 by base name; files without one are read unchecked. */
  sums: Record<string, string>;
  /** The end of the error message: how to fix a mismatch. */
  fix: string;
}

/** A data folder whose reads are hashed. */
export interface HashedFiles extends DataFiles {
  /** The SHA-256 of a file: of the bytes read, or read now when the file was not read yet. */
  sha256(name: string): Promise<string>;
  /**
   * Reads, and so checks, every present file with an expected sum that was not read yet,
   * except those `later(name)` says will be read (and checked) later.
   */
  checkUnread(later: (name: string) => boolean): Promise<void>;
}

/**
 * Wraps a data folder so that each file read is hashed. With `expected`, every read of a file
 * that has an expected sum is checked, and a mismatch throws a `RangeError` naming the file;
 * without, the digests are kept for {@linkcode HashedFiles.sha256}.
 */
export function hashFiles(files: DataFiles, expected?: Expected): HashedFiles {
  const digests = new Map<string, string>();
  const read = async (name: string): Promise<Uint8Array> => {
    const bytes = await files.read(name);
    const sum = expected?.sums[name];
    if (sum !== undefined) {
      checkSha256(bytes, sum, files.label(name), expected!.fix);
      digests.set(name, sum);
    } else if (!digests.has(name)) digests.set(name, sha256Hex(bytes));
    return bytes;
  };
  return {
    kind: files.kind,
    path: files.path,
    names: files.names,
    label: files.label,
    read,
    sha256: async (name) => digests.get(name) ?? (await read(name), digests.get(name)!),
    checkUnread: async (later) => {
      for (const name of Object.keys(expected?.sums ?? {})) {
        if (files.names.has(name) && !digests.has(name) && !later(name)) await read(name);
      }
    },
  };
}
