/**
 * Parsers for both MovieLens layouts into DataFrames with the library's schema. Every row is
 * validated; an error names the file, the line and the offending value. Every rated, tagged or
 * linked movie must be listed in the movies file (movies.csv / u.item), and links.csv, like
 * movies.csv, has one row per movie; repeated (userId, movieId) pairs of ratings follow the
 * duplicate policy, and those dropped under `"last"` are reported through `warn`.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import { INT32_MAX } from "../_validate.ts";
import {
  clip,
  type CsvRatingColumns,
  decodeText,
  fastRatings,
  forEachRow,
  parseIntField,
  parseNumberField,
} from "./_csv.ts";
import { duplicateError, scanDuplicates } from "./_duplicates.ts";
import { checkFoldRows, indexRatings, type RatingIndex, type RatingRows } from "./_fold_check.ts";
import type { DuplicatePolicy } from "./duplicates.ts";
import type { MovieLens } from "./types.ts";
import type { DataFiles, Layout } from "./_source.ts";
import {
  PREDEFINED_SPLIT_NAMES,
  type PredefinedSplitName,
  type PredefinedSplits,
  type RatingScale,
  type Split,
} from "./types.ts";
import { plural } from "../_validate.ts";

/** The rating scale of each layout. */
export const SCALES: Record<Layout, RatingScale> = {
  latest: { min: 0.5, max: 5, step: 0.5 },
  "100k": { min: 1, max: 5, step: 1 },
};

/** The year ml-100k rows get when u.item has no release date (as the m2dl lab does). */
export const ML100K_MISSING_YEAR = 1920;

/** ml-100k's 19 genres in flag order, used when u.genre is absent. */
export const ML100K_GENRES = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

/** What ml-latest-small writes for a movie without genres. */
export const NO_GENRES = "(no genres listed)";

/** Everything parsed from one data folder: a {@linkcode MovieLens} without where it came from. */
export type ParsedData = Omit<MovieLens, "name" | "source" | "origin" | "verified" | "release">;

/** How to read the rating files of one folder. */
interface RatingRules {
  /** What to do with repeated pairs. */
  policy: DuplicatePolicy;
  /** Where to report dropped repeated pairs. */
  warn: (message: string) => void;
}

/** Parses a data folder whose layout is known. */
export async function parseDataFiles(
  files: DataFiles,
  layout: Layout,
  policy: DuplicatePolicy,
  warn: (message: string) => void,
): Promise<ParsedData> {
  const rules = { policy, warn };
  return layout === "latest" ? await parseLatest(files, rules) : await parse100k(files, rules);
}

async function readText(files: DataFiles, name: string, latin1 = false): Promise<string> {
  return decodeText(await files.read(name), files.label(name), latin1 ? "latin1" : "utf-8");
}

function checkId(value: string, file: string, line: number, column: string): number {
  const id = parseIntField(value, file, line, column);
  if (id < 0 || id > INT32_MAX) {
    throw new RangeError(
      `${file} line ${line}: expected ${column} in 0..${INT32_MAX}, found ${id}`,
    );
  }
  return id;
}

/** The movies file of a folder: the ids it lists, to check the rated movies against. */
interface Catalogue {
  /** The movies file, for messages. */
  file: string;
  /** The movieIds it lists. */
  ids: Set<number>;
}

interface RatingsSpec extends RatingRules {
  file: string;
  sep: string;
  header?: readonly string[];
  scale: RatingScale;
}

/** The movie of every row of a ratings file, to check against the catalogue once it is read. */
interface RatedMovies {
  /** The ratings file, for messages. */
  file: string;
  /** movieId of each row, in file order. */
  movies: Int32Array;
  /** The line of each row. */
  lines: Int32Array;
}

/** What the rows of a file that names movies are, for messages. */
interface RowKind {
  /** A row: "rating". */
  row: string;
  /** A movie it names: "rated movie". */
  movie: string;
}

const RATING_ROWS: RowKind = { row: "rating", movie: "rated movie" };

/** Throws a `RangeError` naming the first movie of `rated` the catalogue does not list. */
function checkRatedMovies(
  rated: RatedMovies,
  catalogue: Catalogue,
  kind: RowKind = RATING_ROWS,
): void {
  const { file, movies, lines } = rated;
  if (catalogue.ids.size === 0) {
    throw new RangeError(
      `${catalogue.file}: expected a row for each rated movie, found no movies (${file} holds ` +
        `${plural(movies.length, "rating")})`,
    );
  }
  const unknown = new Set<number>();
  let first = -1, rows = 0;
  for (let i = 0; i < movies.length; i++) {
    if (catalogue.ids.has(movies[i])) continue;
    if (first < 0) first = i;
    rows++;
    unknown.add(movies[i]);
  }
  if (first < 0) return;
  const listed = unknown.size > 1
    ? ` (${[...unknown].slice(0, 5).join(", ")}${unknown.size > 5 ? ", …" : ""})`
    : "";
  throw new RangeError(
    `${file} line ${lines[first]}: movieId ${movies[first]} is not in ${catalogue.file}; ` +
      `${plural(unknown.size, "unknown movieId")} in all${listed}, on ` +
      `${plural(rows, `${kind.row} row`)}. Expected every ${kind.movie} to have a row in the ` +
      "movies file (are the two files from the same release?)",
  );
}

/**
 * Parses a ratings file (ratings.csv, u.data, u1.base, …) and applies the duplicate policy.
 * @returns The ratings, the number of repeated rows, the rated movies of every row (to
 *   check with {@linkcode checkRatedMovies}), and every row as read, before the duplicate
 *   policy (to check a predefined split against u.data).
 */
export function parseRatings(
  text: string,
  spec: RatingsSpec,
): { ratings: DataFrame; duplicates: number; rated: RatedMovies; rows: CsvRatingColumns } {
  const { file, scale } = spec;
  const fast = fastRatings(text, spec.sep, spec.header);
  const cols = fast && fast.users.length > 0 && onScale(fast.ratings, scale)
    ? fast
    : strictRatings(text, spec);
  const rated = { file, movies: cols.movies, lines: cols.lines };
  const { users: u, movies: m, times } = cols;
  const scan = scanDuplicates(u, m, times);
  let c = cols;
  if (scan.count > 0 && spec.policy !== "keep") {
    const [a, b] = scan.first!;
    const where = `lines ${c.lines[a]} and ${c.lines[b]}`;
    if (spec.policy === "error") throw duplicateError(file, u[b], m[b], where, scan.count);
    const [verb, was] = scan.count === 1 ? ["repeats", "was"] : ["repeat", "were"];
    spec.warn(
      `warning: ${file}: ${plural(scan.count, "rating row")} ${verb} an earlier (userId, ` +
        `movieId) pair and ${was} dropped, keeping the latest rating of each pair (first: userId ` +
        `${u[b]} rated movieId ${m[b]} on ${where}). Pass { duplicates: "keep" } to keep ` +
        'every row, or { duplicates: "error" } to refuse them',
    );
    const keep: number[] = [];
    for (let i = 0; i < u.length; i++) if (!scan.drop![i]) keep.push(i);
    c = {
      users: Int32Array.from(keep, (i) => u[i]),
      movies: Int32Array.from(keep, (i) => m[i]),
      ratings: Float64Array.from(keep, (i) => cols.ratings[i]),
      times: Float64Array.from(keep, (i) => times[i]),
      lines: Int32Array.from(keep, (i) => cols.lines[i]),
    };
  }
  const ratings = pl.DataFrame([
    pl.Series(COLUMNS.user, c.users, pl.Int32),
    pl.Series(COLUMNS.movie, c.movies, pl.Int32),
    pl.Series(COLUMNS.rating, c.ratings, pl.Float64),
    pl.Series(COLUMNS.timestamp, c.times, pl.Float64).cast(pl.Int64),
  ]);
  return { ratings, duplicates: scan.count, rated, rows: cols };
}

function offScale(r: number, scale: RatingScale): boolean {
  const k = (r - scale.min) / scale.step;
  const steps = (scale.max - scale.min) / scale.step;
  return k < -1e-9 || k > steps + 1e-9 || Math.abs(k - Math.round(k)) > 1e-9;
}

function onScale(ratings: Float64Array, scale: RatingScale): boolean {
  for (let i = 0; i < ratings.length; i++) if (offScale(ratings[i], scale)) return false;
  return true;
}

/** The strict reader: validates every field and names the first bad line. */
function strictRatings(text: string, spec: RatingsSpec): CsvRatingColumns {
  const { file, scale } = spec;
  const users: number[] = [], movies: number[] = [], values: number[] = [];
  const times: number[] = [], lines: number[] = [];
  forEachRow(
    text,
    { file, sep: spec.sep, quoted: false, columns: 4, header: spec.header },
    (f, line) => {
      users.push(checkId(f[0], file, line, COLUMNS.user));
      movies.push(checkId(f[1], file, line, COLUMNS.movie));
      const r = parseNumberField(f[2], file, line, COLUMNS.rating);
      if (offScale(r, scale)) {
        throw new RangeError(
          `${file} line ${line}: rating ${f[2].trim()} is off the ${scale.min}–${scale.max} ` +
            `scale in steps of ${scale.step}`,
        );
      }
      values.push(r);
      times.push(parseIntField(f[3], file, line, COLUMNS.timestamp));
      lines.push(line);
    },
  );
  if (users.length === 0) {
    throw new RangeError(
      `${file}: expected at least one rating, found none (${noRows(text, spec)})`,
    );
  }
  return {
    users: Int32Array.from(users),
    movies: Int32Array.from(movies),
    ratings: Float64Array.from(values),
    times: Float64Array.from(times),
    lines: Int32Array.from(lines),
  };
}

/** Why a ratings file without a rating row has none, for its error message. */
function noRows(text: string, spec: RatingsSpec): string {
  if (text.replace(/^\ufeff/, "").length === 0) return "the file is empty";
  // With a header, forEachRow has refused a file without one.
  return spec.header ? "the file holds only its header line" : "the file holds only blank lines";
}

const TITLE_YEAR = /\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$/;

/** @returns The year in brackets at the end of a MovieLens title, or null. */
export function yearFromTitle(title: string): number | null {
  const m = TITLE_YEAR.exec(title);
  return m ? Number(m[1]) : null;
}

function splitGenres(genres: string): string[] {
  return genres === NO_GENRES || genres === "" ? [] : genres.split("|");
}

function moviesFrame(
  ids: number[],
  titles: string[],
  genres: string[],
  years: (number | null)[],
  lists: string[][],
): DataFrame {
  return pl.DataFrame([
    pl.Series(COLUMNS.movie, Int32Array.from(ids), pl.Int32),
    pl.Series(COLUMNS.title, titles, pl.Utf8),
    pl.Series(COLUMNS.genres, genres, pl.Utf8),
    pl.Series(COLUMNS.year, years).cast(pl.Int32),
    pl.Series("genreList", lists).cast(pl.List(pl.Utf8)),
  ]);
}

function checkUniqueMovie(seen: Map<number, number>, id: number, file: string, line: number) {
  const prev = seen.get(id);
  if (prev !== undefined) {
    throw new RangeError(
      `${file} line ${line}: movieId ${id} already appeared on line ${prev} (expected one row per movie)`,
    );
  }
  seen.set(id, line);
}

/** The movieIds of a movies table, to check ratings against. */
function catalogue(movies: DataFrame, file: string): Catalogue {
  return { file, ids: new Set(movies.getColumn(COLUMNS.movie).toTypedArray() as Int32Array) };
}

async function parseLatest(files: DataFiles, rules: RatingRules): Promise<ParsedData> {
  const scale = SCALES.latest;
  const { ratings, duplicates, rated } = parseRatings(await readText(files, "ratings.csv"), {
    file: files.label("ratings.csv"),
    sep: ",",
    header: [COLUMNS.user, COLUMNS.movie, COLUMNS.rating, COLUMNS.timestamp],
    scale,
    ...rules,
  });

  const { movies, vocabulary } = await readLatestMovies(files);
  const listed = catalogue(movies, files.label("movies.csv"));
  checkRatedMovies(rated, listed);

  const tags = files.names.has("tags.csv") ? await readTags(files, listed) : undefined;
  const links = files.names.has("links.csv") ? await readLinks(files, listed) : undefined;
  return {
    layout: "latest",
    ratings,
    duplicates,
    movies,
    tags,
    links,
    genres: vocabulary,
    ratingScale: scale,
  };
}

/** @returns The year of an ml-100k release date such as `01-Jan-1995`, or null when empty. */
export function yearFromReleaseDate(date: string, file: string, line: number): number | null {
  if (date.trim() === "") return null;
  const m = /^\d{1,2}-[A-Za-z]{3}-(\d{4})$/.exec(date.trim());
  if (!m) {
    throw new RangeError(
      `${file} line ${line}: expected a release date like 01-Jan-1995, found "${clip(date, 30)}"`,
    );
  }
  return Number(m[1]);
}

async function parse100k(files: DataFiles, rules: RatingRules): Promise<ParsedData> {
  const scale = SCALES["100k"];
  const { ratings, duplicates, rated, rows } = parseRatings(await readText(files, "u.data"), {
    file: files.label("u.data"),
    sep: "\t",
    scale,
    ...rules,
  });

  const genreNames = files.names.has("u.genre") ? await read100kGenres(files) : ML100K_GENRES;
  const movies = await read100kMovies(files, genreNames);
  const items = catalogue(movies, files.label("u.item"));
  checkRatedMovies(rated, items);
  const users = files.names.has("u.user") ? await read100kUsers(files) : undefined;
  const occupations = files.names.has("u.occupation")
    ? await read100kOccupations(files)
    : undefined;
  const data = { file: files.label("u.data"), rows };
  const predefinedSplits = predefinedSplitsOf(files, { ...rules, movies: items, data });

  return {
    layout: "100k",
    ratings,
    duplicates,
    movies,
    users,
    genres: [...genreNames],
    occupations,
    predefinedSplits,
    ratingScale: scale,
  };
}

/** movies.csv of ml-latest-small, and the genres that occur, sorted. */
async function readLatestMovies(
  files: DataFiles,
): Promise<{ movies: DataFrame; vocabulary: string[] }> {
  const mfile = files.label("movies.csv");
  const ids: number[] = [], titles: string[] = [], genres: string[] = [];
  const years: (number | null)[] = [], lists: string[][] = [];
  const seen = new Map<number, number>();
  forEachRow(await readText(files, "movies.csv"), {
    file: mfile,
    sep: ",",
    quoted: true,
    columns: 3,
    header: [COLUMNS.movie, COLUMNS.title, COLUMNS.genres],
  }, (f, line) => {
    const id = checkId(f[0], mfile, line, COLUMNS.movie);
    checkUniqueMovie(seen, id, mfile, line);
    ids.push(id);
    titles.push(f[1]);
    genres.push(f[2]);
    years.push(yearFromTitle(f[1]));
    lists.push(splitGenres(f[2]));
  });
  const movies = moviesFrame(ids, titles, genres, years, lists);
  const vocabulary = [...new Set(lists.flat())].sort();
  return { movies, vocabulary };
}

/** tags.csv of ml-latest-small; every tagged movie listed in movies.csv. */
async function readTags(files: DataFiles, movies: Catalogue): Promise<DataFrame> {
  const file = files.label("tags.csv");
  const u: number[] = [], m: number[] = [], tag: string[] = [], t: number[] = [];
  const lines: number[] = [];
  forEachRow(await readText(files, "tags.csv"), {
    file,
    sep: ",",
    quoted: true,
    columns: 4,
    header: [COLUMNS.user, COLUMNS.movie, "tag", COLUMNS.timestamp],
  }, (f, line) => {
    u.push(checkId(f[0], file, line, COLUMNS.user));
    m.push(checkId(f[1], file, line, COLUMNS.movie));
    tag.push(f[2]);
    t.push(parseIntField(f[3], file, line, COLUMNS.timestamp));
    lines.push(line);
  });
  const tagged = { file, movies: Int32Array.from(m), lines: Int32Array.from(lines) };
  checkRatedMovies(tagged, movies, { row: "tag", movie: "tagged movie" });
  return pl.DataFrame([
    pl.Series(COLUMNS.user, Int32Array.from(u), pl.Int32),
    pl.Series(COLUMNS.movie, Int32Array.from(m), pl.Int32),
    pl.Series("tag", tag, pl.Utf8),
    pl.Series(COLUMNS.timestamp, BigInt64Array.from(t, BigInt), pl.Int64),
  ]);
}

/**
 * links.csv of ml-latest-small: one row per movie listed in movies.csv, its imdbId digits
 * (leading zeros kept) and its tmdbId a number; either may be empty (missing: null).
 */
async function readLinks(files: DataFiles, movies: Catalogue): Promise<DataFrame> {
  const file = files.label("links.csv");
  const m: number[] = [], imdb: (string | null)[] = [], tmdb: (number | null)[] = [];
  const lines: number[] = [];
  const seen = new Map<number, number>();
  forEachRow(await readText(files, "links.csv"), {
    file,
    sep: ",",
    quoted: true,
    columns: 3,
    header: [COLUMNS.movie, "imdbId", "tmdbId"],
  }, (f, line) => {
    const id = checkId(f[0], file, line, COLUMNS.movie);
    checkUniqueMovie(seen, id, file, line);
    m.push(id);
    const imdbId = f[1].trim();
    if (imdbId !== "" && !/^\d+$/.test(imdbId)) {
      throw new RangeError(
        `${file} line ${line}: expected an imdbId of digits (such as 0114709), found ` +
          `"${clip(f[1], 30)}"`,
      );
    }
    imdb.push(imdbId === "" ? null : imdbId);
    tmdb.push(f[2].trim() === "" ? null : checkId(f[2], file, line, "tmdbId"));
    lines.push(line);
  });
  const linked = { file, movies: Int32Array.from(m), lines: Int32Array.from(lines) };
  checkRatedMovies(linked, movies, { row: "link", movie: "linked movie" });
  return pl.DataFrame([
    pl.Series(COLUMNS.movie, Int32Array.from(m), pl.Int32),
    pl.Series("imdbId", imdb, pl.Utf8),
    pl.Series("tmdbId", tmdb).cast(pl.Int32),
  ]);
}

/** The genre names of ml-100k's u.genre, in flag order. */
async function read100kGenres(files: DataFiles): Promise<string[]> {
  const file = files.label("u.genre");
  const names: string[] = [];
  forEachRow(await readText(files, "u.genre"), { file, sep: "|", quoted: false, columns: 2 }, (
    f,
    line,
  ) => {
    const id = parseIntField(f[1], file, line, "genre id");
    if (id !== names.length) {
      throw new RangeError(
        `${file} line ${line}: expected genre id ${names.length}, found ${id}`,
      );
    }
    names.push(f[0]);
  });
  return names;
}

/** ml-100k's u.item: the movies, their genre flags, release dates and IMDb URLs. */
async function read100kMovies(files: DataFiles, genreNames: readonly string[]): Promise<DataFrame> {
  const file = files.label("u.item");
  const ids: number[] = [], titles: string[] = [], genres: string[] = [];
  const years: number[] = [], lists: string[][] = [];
  const dates: (string | null)[] = [], urls: (string | null)[] = [];
  const seen = new Map<number, number>();
  forEachRow(await readText(files, "u.item", true), {
    file,
    sep: "|",
    quoted: false,
    columns: 5 + genreNames.length,
  }, (f, line) => {
    const id = checkId(f[0], file, line, COLUMNS.movie);
    checkUniqueMovie(seen, id, file, line);
    const list: string[] = [];
    for (let g = 0; g < genreNames.length; g++) {
      const flag = f[5 + g];
      if (flag === "1") list.push(genreNames[g]);
      else if (flag !== "0") {
        throw new RangeError(
          `${file} line ${line}: expected 0 or 1 for the genre flag ${genreNames[g]}, found "${
            clip(flag, 30)
          }"`,
        );
      }
    }
    ids.push(id);
    titles.push(f[1]);
    genres.push(list.length ? list.join("|") : NO_GENRES);
    lists.push(list);
    years.push(yearFromReleaseDate(f[2], file, line) ?? ML100K_MISSING_YEAR);
    dates.push(f[2] === "" ? null : f[2]);
    urls.push(f[4] === "" ? null : f[4]);
  });
  return moviesFrame(ids, titles, genres, years, lists).withColumns(
    pl.Series("releaseDate", dates, pl.Utf8),
    pl.Series("imdbUrl", urls, pl.Utf8),
  );
}

/** ml-100k's u.user. */
async function read100kUsers(files: DataFiles): Promise<DataFrame> {
  const ufile = files.label("u.user");
  const id: number[] = [], age: number[] = [], gender: string[] = [];
  const occupation: string[] = [], zip: string[] = [];
  forEachRow(await readText(files, "u.user"), {
    file: ufile,
    sep: "|",
    quoted: false,
    columns: 5,
  }, (f, line) => {
    id.push(checkId(f[0], ufile, line, COLUMNS.user));
    age.push(parseIntField(f[1], ufile, line, "age"));
    gender.push(f[2]);
    occupation.push(f[3]);
    zip.push(f[4]);
  });
  return pl.DataFrame([
    pl.Series(COLUMNS.user, Int32Array.from(id), pl.Int32),
    pl.Series("age", Int32Array.from(age), pl.Int32),
    pl.Series("gender", gender, pl.Utf8),
    pl.Series("occupation", occupation, pl.Utf8),
    pl.Series("zipCode", zip, pl.Utf8),
  ]);
}

/** ml-100k's u.occupation. */
async function read100kOccupations(files: DataFiles): Promise<string[]> {
  const occupations: string[] = [];
  forEachRow(await readText(files, "u.occupation"), {
    file: files.label("u.occupation"),
    sep: "|",
    quoted: false,
    columns: 1,
  }, (f) => occupations.push(f[0].trim()));
  return occupations;
}

/** How to read and check a folder's predefined splits. */
interface SplitRules extends RatingRules {
  /** u.item, which every rated movie must be in. */
  movies: Catalogue;
  /** u.data as read, which every row of a split must be in. */
  data: RatingRows;
}

/**
 * The predefined splits whose files are present, each loaded once on demand and checked
 * against u.data (see {@linkcode checkFoldRows}).
 */
function predefinedSplitsOf(files: DataFiles, rules: SplitRules): PredefinedSplits {
  const names = PREDEFINED_SPLIT_NAMES.filter((n) =>
    files.names.has(`${n}.base`) && files.names.has(`${n}.test`)
  );
  const memo = new Map<PredefinedSplitName, Promise<Split>>();
  let index: RatingIndex | null = null;
  const indexed = () => index ??= indexRatings(rules.data);
  return {
    names,
    load(name) {
      if (!names.includes(name)) {
        return Promise.reject(
          new RangeError(
            `unknown predefined split "${name}" (expected one of ${names.join(", ") || "none"})`,
          ),
        );
      }
      if (!memo.has(name)) memo.set(name, loadSplit(files, name, rules, indexed));
      return memo.get(name)!;
    },
  };
}

async function loadSplit(
  files: DataFiles,
  name: PredefinedSplitName,
  rules: SplitRules,
  index: () => RatingIndex,
): Promise<Split> {
  const part = async (ext: string) => {
    const file = files.label(`${name}.${ext}`);
    const { ratings, rated, rows } = parseRatings(await readText(files, `${name}.${ext}`), {
      file,
      sep: "\t",
      scale: SCALES["100k"],
      policy: rules.policy,
      warn: rules.warn,
    });
    checkRatedMovies(rated, rules.movies);
    return { ratings, read: { file, rows } };
  };
  const base = await part("base");
  const test = await part("test");
  checkFoldRows(index(), name, [base.read, test.read], rules.warn);
  return { train: base.ratings, test: test.ratings };
}
