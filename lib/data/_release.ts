/**
 * What a data folder says it is, checked against what was read. ml-100k's `u.info` and
 * `README` and ml-latest-small's `README.txt` state how many ratings, users and movies the
 * release holds; a folder without them but named after a release (or asked for by that name)
 * is taken to claim the official counts. The counts read are compared with the claim, and a
 * folder that claims a release whose checksums are known has its files' SHA-256 compared too:
 * every file of the release it holds (ml-100k's predefined splits included), a required file
 * that is missing counting as a difference. Each difference reads like "expected 100,000
 * ratings, found 50,703".
 *
 * @module
 */

import { type FileChecksums, type HashedFiles, requiredFiles } from "./_checksums.ts";
import type { DataFiles, Layout } from "./_source.ts";
import type { ReleaseCheck } from "./types.ts";

/** The counts a release states (those it does not state are undefined). */
export interface ReleaseCounts {
  /** Rating rows. */
  ratings: number;
  /** Users. */
  users?: number;
  /** Movies (rows of movies.csv / u.item). */
  movies?: number;
  /** Tag applications (rows of tags.csv). */
  tags?: number;
}

/** An official release: its counts and the SHA-256 of its files (see `FileChecksums`). */
export interface KnownRelease extends FileChecksums {
  /** The layout its files use. */
  layout: Layout;
  /** What it holds. */
  counts: ReleaseCounts;
}

/** How to check one loaded folder. */
export interface ReleaseCheckSpec {
  /** The files read, hashed as they were read. */
  files: HashedFiles;
  /** Their layout. */
  layout: Layout;
  /** What was read from them. */
  found: Required<Omit<ReleaseCounts, "tags">> & { tags?: number };
  /** The release asked for by name (`"ml-100k"`), or the folder's base name. */
  name: string;
  /** Whether the name was asked for (true) or is the folder's (false). */
  requested: boolean;
  /** Whether the official checksums were already checked and matched. */
  verified: boolean;
  /** The releases whose counts and checksums are known, by name. */
  known: Record<string, KnownRelease>;
}

/** The outcome: the claim and its differences, and whether the files proved official. */
export interface ReleaseOutcome {
  /** The release the files claim, or null when nothing claims one. */
  release: ReleaseCheck | null;
  /** True when the files matched the official checksums in this check. */
  matchedChecksums: boolean;
}

const utf8 = new TextDecoder();

/** `"100,000"` or `"100000"` as a number. */
function count(text: string): number {
  return Number(text.replaceAll(",", ""));
}

async function readSmall(files: DataFiles, name: string): Promise<string | null> {
  if (!files.names.has(name)) return null;
  return utf8.decode(await files.read(name));
}

interface Claim {
  name: string;
  claimedBy: string;
  counts: ReleaseCounts;
}

/** ml-100k's `u.info` ("943 users / 1682 items / 100000 ratings") or its README. */
async function claim100k(files: DataFiles): Promise<Claim | null> {
  const info = await readSmall(files, "u.info");
  const ratings = info && /^\s*(\d+)\s+ratings\s*$/m.exec(info);
  if (info && ratings) {
    const users = /^\s*(\d+)\s+users\s*$/m.exec(info);
    const items = /^\s*(\d+)\s+items\s*$/m.exec(info);
    return {
      name: "ml-100k",
      claimedBy: files.label("u.info"),
      counts: {
        ratings: count(ratings[1]),
        users: users ? count(users[1]) : undefined,
        movies: items ? count(items[1]) : undefined,
      },
    };
  }
  const readme = await readSmall(files, "README");
  const m = readme &&
    /([\d,]+) ratings \(1-5\) from ([\d,]+) users on ([\d,]+) movies/.exec(readme);
  if (!m) return null;
  return {
    name: "ml-100k",
    claimedBy: files.label("README"),
    counts: { ratings: count(m[1]), users: count(m[2]), movies: count(m[3]) },
  };
}

/** ml-latest-small's README.txt: "This dataset (ml-latest-small) … It contains … ratings …". */
async function claimLatest(files: DataFiles): Promise<Claim | null> {
  const readme = await readSmall(files, "README.txt");
  if (!readme) return null;
  const name = /This dataset \((ml-[\w.-]+)\)/.exec(readme);
  const m = /It contains ([\d,]+) ratings and ([\d,]+) tag applications across ([\d,]+) movies/
    .exec(readme);
  if (!name || !m) return null;
  const users = /created by ([\d,]+) users/.exec(readme);
  return {
    name: name[1],
    claimedBy: files.label("README.txt"),
    counts: {
      ratings: count(m[1]),
      tags: count(m[2]),
      movies: count(m[3]),
      users: users ? count(users[1]) : undefined,
    },
  };
}

async function findClaim(spec: ReleaseCheckSpec): Promise<Claim | null> {
  const described = spec.layout === "100k"
    ? await claim100k(spec.files)
    : await claimLatest(spec.files);
  if (described) return described;
  const known = spec.known[spec.name];
  if (!known || known.layout !== spec.layout) return null;
  return {
    name: spec.name,
    claimedBy: spec.requested ? "the data set's name" : "the folder name",
    counts: known.counts,
  };
}

const ORDER = ["ratings", "users", "movies", "tags"] as const;

function countDifferences(claimed: ReleaseCounts, found: ReleaseCheckSpec["found"]): string[] {
  const out: string[] = [];
  for (const key of ORDER) {
    const want = claimed[key];
    const got = found[key] ?? 0;
    if (want !== undefined && want !== got) {
      out.push(`expected ${want.toLocaleString("en")} ${key}, found ${got.toLocaleString("en")}`);
    }
  }
  return out;
}

function sameCounts(a: ReleaseCounts, b: ReleaseCounts): boolean {
  return ORDER.every((key) => a[key] === undefined || a[key] === b[key]);
}

async function checksumDifferences(files: HashedFiles, sums: FileChecksums) {
  const out: string[] = [];
  const required = requiredFiles(sums);
  for (const [name, sum] of Object.entries(sums.files)) {
    if (!files.names.has(name)) {
      if (required.includes(name)) out.push(`${files.label(name)} is missing`);
    } else if (await files.sha256(name) !== sum) {
      out.push(`${files.label(name)} is not the official file (its sha256 differs)`);
    }
  }
  return out;
}

/**
 * Checks a loaded folder against the release it claims to be.
 * @returns The claim with its differences (none when the folder matches), or a null release.
 */
export async function checkRelease(spec: ReleaseCheckSpec): Promise<ReleaseOutcome> {
  const claim = await findClaim(spec);
  if (!claim) return { release: null, matchedChecksums: false };
  const differences = countDifferences(claim.counts, spec.found);
  const known = spec.known[claim.name];
  let matchedChecksums = false;
  if (
    differences.length === 0 && !spec.verified && known && known.layout === spec.layout &&
    sameCounts(claim.counts, known.counts)
  ) {
    differences.push(...await checksumDifferences(spec.files, known));
    matchedChecksums = differences.length === 0;
  }
  return {
    release: { name: claim.name, claimedBy: claim.claimedBy, differences },
    matchedChecksums,
  };
}
