/**
 * Private helpers: turn the JSON initializer specs of a model config into seeded tfjs
 * initializers, and Keras-style names into tfjs names.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { InitializerSpec } from "./recommender.ts";

/** Initializers that draw random numbers, so take a seed. */
const SEEDED_INITIALIZERS = [
  "randomUniform",
  "randomNormal",
  "truncatedNormal",
  "glorotUniform",
  "glorotNormal",
  "heUniform",
  "heNormal",
  "leCunUniform",
  "leCunNormal",
] as const;

const INITIALIZERS = ["zeros", "ones", "constant", ...SEEDED_INITIALIZERS] as const;

/** A tfjs initializer instance. */
export type Initializer = ReturnType<typeof tf.initializers.heNormal>;

/** A tfjs regularizer instance. */
export type Regularizer = ReturnType<typeof tf.regularizers.l2>;

const SEEDED: ReadonlySet<string> = new Set(SEEDED_INITIALIZERS);

/** `he_normal` → `heNormal`, `lecun_uniform` → `leCunUniform`; tfjs names pass through. */
export function camelName(name: string): string {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel.replace(/^lecun/, "leCun");
}

/** Checks an initializer spec and returns it normalised (tfjs name, same parameters). */
export function normaliseInitializer(spec: InitializerSpec, where: string): InitializerSpec {
  const name = typeof spec === "string" ? spec : spec?.name;
  if (typeof name !== "string") {
    throw new TypeError(
      `${where}: expected an initializer name or { name, ...params }, found ${
        JSON.stringify(spec)
      }`,
    );
  }
  const tfName = camelName(name);
  if (!(INITIALIZERS as readonly string[]).includes(tfName)) {
    throw new TypeError(
      `${where}: unknown initializer "${name}" (known: ${INITIALIZERS.join(", ")})`,
    );
  }
  return typeof spec === "string" ? tfName : { ...spec, name: tfName };
}

/** Builds a tfjs initializer from a normalised spec, seeding it when it is random. */
export function makeInitializer(spec: InitializerSpec, seed: number): Initializer {
  const { name, ...params } = typeof spec === "string" ? { name: spec } : spec;
  const args: Record<string, unknown> = { ...params };
  if (SEEDED.has(name)) args.seed = seed;
  // deno-lint-ignore no-explicit-any
  const factory = (tf.initializers as any)[name] as (a: unknown) => Initializer;
  return factory(args);
}

/** An L2 regulariser, or undefined when the coefficient is 0. */
export function makeL2(coefficient: number): Regularizer | undefined {
  return coefficient > 0 ? tf.regularizers.l2({ l2: coefficient }) : undefined;
}
