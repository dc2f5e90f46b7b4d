/**
 * Hex digests through node:crypto (WebCrypto has no MD5, and GroupLens publishes MD5 sums).
 *
 * @module
 */

import { createHash } from "node:crypto";

/** @returns The lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** @returns The lowercase hex MD5 of `bytes`. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}
