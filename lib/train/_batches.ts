/**
 * Training data held as typed arrays, read out of the caller's tensors once, reordered once
 * per epoch, and cut into small batch tensors step by step.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

type Values = Float32Array | Int32Array;

/** One column of samples (one model input, or the targets). */
export interface Column {
  /** Every sample's values, sample after sample. */
  values: Values;
  /** Values per sample. */
  width: number;
  /** Shape of one sample. */
  sampleShape: number[];
  /** dtype of the batch tensors. */
  dtype: "float32" | "int32";
}

/** Samples of a data set as columns. */
export interface Columns {
  /** Number of samples. */
  n: number;
  /** The columns. */
  columns: Column[];
}

/**
 * Reads tensors into columns.
 *
 * @param tensors One tensor per column; their first dimension is the sample axis.
 * @param dtypes dtype of each column's batches (the model input's dtype; `float32` for y).
 * @param shapes Optional per-sample shape of each column's batches (same size as the tensor's).
 * @returns The columns.
 */
export function toColumns(
  tensors: tf.Tensor[],
  dtypes: Array<"float32" | "int32">,
  shapes?: Array<number[] | null>,
): Columns {
  const n = tensors[0].shape[0];
  const columns = tensors.map((t, i): Column => {
    const data = t.dataSync();
    const dtype = dtypes[i];
    let values: Values;
    if (dtype === "int32") {
      values = data instanceof Int32Array ? data.slice() : Int32Array.from(data as Float32Array);
    } else {
      values = data instanceof Float32Array ? data.slice() : Float32Array.from(data as Int32Array);
    }
    const width = n === 0 ? 0 : values.length / n;
    const sampleShape = shapes?.[i] ?? t.shape.slice(1);
    return { values, width, sampleShape, dtype };
  });
  return { n, columns };
}

/**
 * Splits columns at sample `at`: `[0, at)` and `[at, n)`.
 *
 * @param data The columns.
 * @param at Split point.
 * @returns Both halves (views on the same arrays).
 */
export function splitColumns(data: Columns, at: number): [Columns, Columns] {
  const part = (from: number, to: number): Columns => ({
    n: to - from,
    columns: data.columns.map((c) => ({
      ...c,
      values: c.values.subarray(from * c.width, to * c.width) as Values,
    })),
  });
  return [part(0, at), part(at, data.n)];
}

/**
 * Copies the samples into a new set of columns in the given order (once per epoch), so that
 * every batch is then a contiguous slice.
 *
 * @param data The columns.
 * @param order A permutation of the sample indices.
 * @returns The reordered columns.
 */
export function permuteColumns(data: Columns, order: Int32Array): Columns {
  const n = order.length;
  return {
    n,
    columns: data.columns.map((c) => {
      const w = c.width, src = c.values;
      const out = c.dtype === "int32" ? new Int32Array(n * w) : new Float32Array(n * w);
      if (w === 1) {
        for (let j = 0; j < n; j++) out[j] = src[order[j]];
      } else {
        for (let j = 0, o = 0; j < n; j++) {
          const s = order[j] * w;
          for (let k = 0; k < w; k++) out[o++] = src[s + k];
        }
      }
      return { ...c, values: out };
    }),
  };
}

/**
 * Makes the tensors of one batch: samples `[start, end)`. The tensors are views on the
 * columns' arrays (the WASM backend copies them into its heap; the CPU backend reads them
 * in place and never writes to them), so no array is allocated per batch.
 *
 * @param data The columns.
 * @param start First sample.
 * @param end One past the last sample.
 * @returns One tensor per column, shaped `[end - start, ...sampleShape]`.
 */
export function batchTensors(data: Columns, start: number, end: number): tf.Tensor[] {
  const b = end - start;
  return data.columns.map((c) =>
    tf.tensor(c.values.subarray(start * c.width, end * c.width), [b, ...c.sampleShape], c.dtype)
  );
}
