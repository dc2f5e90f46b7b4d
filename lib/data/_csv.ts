/**
 * A small delimited-text reader for the MovieLens files: comma-separated with optional RFC 4180
 * quotes (ml-latest-small), tab- or pipe-separated without quotes (ml-100k). Every error names
 * the file and the 1-based line, so a malformed row can be found with an editor.
 *
 * @module
 */

/** How to read one delimited file. */
export interface DelimitedSpec {
  /** The file name used in error messages. */
  file: string;
  /** The one-character field separator. */
  sep: string;
  /** Whether fields may be wrapped in double quotes (`""` inside is one quote). */
  quoted: boolean;
  /** The number of fields every row must have. */
  columns: number;
  /** The expected header row, or undefined when the file has none. */
  header?: readonly string[];
}

/**
 * Calls `onRow` for every non-blank data row of `text` (the header excluded). The `fields`
 * array is reused between calls: copy what you keep.
 *
 * @returns The number of data rows.
 * @throws {RangeError} On a header or field count that differs from the spec, and on a last
 *   row without a line end whose last field is shorter than every other row's (a file cut
 *   inside its last row), naming the file and line.
 */
export function forEachRow(
  text: string,
  spec: DelimitedSpec,
  onRow: (fields: string[], line: number) => void,
): number {
  const { file, sep, quoted, columns, header } = spec;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let rows = 0;
  let needHeader = header !== undefined;
  let fields: string[] = [];
  let shortestLast = Infinity;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    const unterminated = end < 0;
    if (unterminated) end = text.length;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    const line = text.slice(pos, stop);
    pos = end + 1;
    lineNo++;
    if (line.length === 0 || line.trim().length === 0) continue;
    fields = quoted && line.includes('"') ? splitQuoted(line, sep, file, lineNo) : line.split(sep);
    if (needHeader) {
      needHeader = false;
      const found = fields.map((f) => f.trim());
      if (found.length !== header!.length || found.some((f, i) => f !== header![i])) {
        throw new RangeError(
          `${file} line ${lineNo}: expected the header "${header!.join(sep)}", found "${
            clip(line)
          }"`,
        );
      }
      continue;
    }
    if (fields.length !== columns) {
      throw new RangeError(
        `${file} line ${lineNo}: expected ${columns} fields separated by ${
          describeSep(sep)
        }, found ${fields.length}: "${clip(line)}"`,
      );
    }
    const last = fields[columns - 1].trim().length;
    if (unterminated && rows > 0 && last < shortestLast) {
      throw cutShort(file, lineNo, fields[columns - 1].trim(), shortestLast);
    }
    shortestLast = Math.min(shortestLast, last);
    onRow(fields, lineNo);
    rows++;
  }
  if (needHeader) {
    throw new RangeError(
      `${file}: expected the header "${header!.join(sep)}", found ${
        text.replace(/^\ufeff/, "").length === 0 ? "an empty file" : "only blank lines"
      }`,
    );
  }
  return rows;
}

/**
 * The error for a last row that ends without a line end and whose last field is shorter than
 * that of every other row: the file was most likely cut inside that row (a download or copy
 * stopped early), so its value cannot be trusted.
 */
function cutShort(file: string, line: number, value: string, shortest: number): RangeError {
  return new RangeError(
    `${file} line ${line}: the last row ends without a line end and its last field ` +
      `"${clip(value, 30)}" is shorter than in every other row (${shortest} characters or more): ` +
      "the file looks cut short; replace it with a complete copy, or end the row with a line " +
      "end if it is complete",
  );
}

function splitQuoted(line: string, sep: string, file: string, lineNo: number): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q < 0) {
          throw new RangeError(
            `${file} line ${lineNo}: unterminated quoted field starting at column ${i + 1}`,
          );
        }
        value += line.slice(from, q);
        if (line[q + 1] === '"') {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== sep) {
        throw new RangeError(
          `${file} line ${lineNo}: expected ${describeSep(sep)} after a closing quote, found "${
            clip(line[i])
          }" at column ${i + 1}`,
        );
      }
      i++;
    } else {
      const next = line.indexOf(sep, i);
      if (next < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, next));
      i = next + 1;
    }
  }
}

function describeSep(sep: string): string {
  return sep === "\t" ? "tabs" : sep === "," ? "commas" : `"${sep}"`;
}

/** Control characters other than tab, which a message shows escaped. */
// deno-lint-ignore no-control-regex -- matching them is the point: they are escaped.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;

/**
 * Shortens a line for an error message, showing control characters other than tab escaped
 * (a NUL byte as `\u0000`), so that a binary or UTF-16 file never writes them to a terminal.
 */
export function clip(text: string, max = 80): string {
  const short = text.length <= max ? text : `${text.slice(0, max)}…`;
  return short.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** How many bytes {@linkcode decodeText} looks at for NUL bytes when no line end comes first. */
const FIRST_LINE_BYTES = 4096;

/**
 * Decodes a data file. UTF-16 with a byte-order mark (FF FE or FE FF, as Windows tools write
 * "Unicode" text) is decoded as such; other files as `encoding`. A file with NUL bytes in its
 * first line (UTF-16 without a byte-order mark, or not text) is refused.
 *
 * @param bytes The file's contents.
 * @param file The file, for messages.
 * @param encoding How to decode a file without a UTF-16 byte-order mark.
 * @returns The text, without its byte-order mark.
 * @throws {RangeError} On NUL bytes in the first line, naming the file and the encoding
 *   expected.
 */
export function decodeText(
  bytes: Uint8Array,
  file: string,
  encoding: "utf-8" | "latin1" = "utf-8",
): string {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (le || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return new TextDecoder(le ? "utf-16le" : "utf-16be").decode(bytes);
  }
  let end = bytes.indexOf(10);
  if (end < 0 || end > FIRST_LINE_BYTES) end = Math.min(bytes.length, FIRST_LINE_BYTES);
  const nul = bytes.subarray(0, end).indexOf(0);
  if (nul >= 0) {
    const name = encoding === "latin1" ? "Latin-1" : "UTF-8";
    const order = nul % 2 === 1 && bytes[0] !== 0
      ? "UTF-16 (little-endian)"
      : nul % 2 === 0 && bytes[1] !== 0
      ? "UTF-16 (big-endian)"
      : null;
    throw new RangeError(
      `${file}: found NUL bytes in its first line (at byte ${nul + 1}): ` +
        (order
          ? `the file looks ${order} encoded without a byte-order mark`
          : "the file is not text") +
        `; expected ${name} text: save it as ${name}`,
    );
  }
  return new TextDecoder(encoding).decode(bytes);
}

const INT = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

/**
 * Parses a whole-number field, throwing a `RangeError` naming the file, line and column.
 * @returns The integer.
 */
export function parseIntField(value: string, file: string, line: number, column: string): number {
  const v = value.trim();
  if (!INT.test(v)) {
    throw new RangeError(
      `${file} line ${line}: expected an integer ${column}, found "${clip(value, 30)}"`,
    );
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`${file} line ${line}: ${column} ${v} is too large`);
  }
  return n;
}

/**
 * Parses a decimal field (no exponent, no hex), throwing a `RangeError` naming the file,
 * line and column.
 * @returns The number.
 */
export function parseNumberField(
  value: string,
  file: string,
  line: number,
  column: string,
): number {
  const v = value.trim();
  if (!DECIMAL.test(v)) {
    throw new RangeError(
      `${file} line ${line}: expected a number for ${column}, found "${clip(value, 30)}"`,
    );
  }
  return Number(v);
}

/** Numeric columns of a ratings file read by {@linkcode fastRatings}. */
export interface CsvRatingColumns {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float64Array;
  times: Float64Array;
  /** 1-based line of each row. */
  lines: Int32Array;
}

/**
 * A fast reader for well-formed ratings files (`user<sep>movie<sep>rating<sep>timestamp`, plain
 * digits, an optional header line). It returns null at the first irregularity (a sign, a
 * quote, a missing or extra field, a blank line inside, an id beyond 32 bits, a last row
 * without its line end, which may have been cut) so that the
 * caller can rerun the strict reader, which names the offending line.
 */
export function fastRatings(
  text: string,
  sep: string,
  header?: readonly string[],
): CsvRatingColumns | null {
  const SEP = sep.charCodeAt(0);
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  if (header) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0 || text.slice(pos, nl).trimEnd() !== header.join(sep)) return null;
    pos = nl + 1;
    line = 2;
  }
  let cap = Math.max(16, Math.ceil((n - pos) / 20));
  let users = new Int32Array(cap), movies = new Int32Array(cap), lines = new Int32Array(cap);
  let ratings = new Float64Array(cap), times = new Float64Array(cap);
  let rows = 0;
  while (pos < n) {
    const first = text.charCodeAt(pos);
    if (first === 10 || first === 13) {
      if (text.slice(pos).trim() !== "") return null;
      break;
    }
    if (rows === cap) {
      cap *= 2;
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(cap);
        b.set(a);
        return b;
      };
      users = grow(users), movies = grow(movies), lines = grow(lines);
      ratings = grow(ratings), times = grow(times);
    }
    let c = 0;
    const values = [0, 0, 0, 0];
    for (let field = 0; field < 4; field++) {
      let v = 0, digits = 0, dot = false, f = 0, fDigits = 0;
      for (;;) {
        c = pos < n ? text.charCodeAt(pos) : -1;
        if (c >= 48 && c <= 57) {
          if (dot) {
            f = f * 10 + (c - 48);
            fDigits++;
          } else v = v * 10 + (c - 48);
          digits++;
          pos++;
        } else if (c === 46 && field === 2 && !dot) {
          dot = true;
          pos++;
        } else break;
      }
      if (digits === 0 || digits > 15) return null;
      values[field] = fDigits ? v + f / 10 ** fDigits : v;
      if (field < 3) {
        if (c !== SEP) return null;
        pos++;
      }
    }
    if (c === 13) c = text.charCodeAt(++pos);
    // A last row without its line end may have been cut: the strict reader decides.
    if (c === 10) pos++;
    else return null;
    if (values[0] > 2147483647 || values[1] > 2147483647) return null;
    users[rows] = values[0];
    movies[rows] = values[1];
    ratings[rows] = values[2];
    times[rows] = values[3];
    lines[rows] = line++;
    rows++;
  }
  return {
    users: users.subarray(0, rows),
    movies: movies.subarray(0, rows),
    ratings: ratings.subarray(0, rows),
    times: times.subarray(0, rows),
    lines: lines.subarray(0, rows),
  };
}
