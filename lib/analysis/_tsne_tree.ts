// Private: the space-partitioning tree of Barnes-Hut t-SNE (a quadtree in 2-D, an octree in
// 3-D, a binary tree in 1-D) and the approximate repulsive forces computed with it, following
// scikit-learn's _quad_tree.pyx / _barnes_hut_tsne.pyx. The arrays are reused from one
// iteration to the next; only their contents are rebuilt.

const MAX_DEPTH = 50;

/** A tree over the points of an embedding; call {@linkcode SpaceTree.build} each iteration. */
export class SpaceTree {
  readonly n: number;
  readonly dims: number;
  /** Number of nodes in use. */
  nodes = 0;
  /** Number of points under each node. */
  count: Int32Array;
  /** Centre of mass of each node (dims per node). */
  com: Float64Array;
  /** Largest squared side of each node's box. */
  width2: Float64Array;
  /** First child id of each node (children are consecutive). */
  firstChild: Int32Array;
  /** Number of children of each node (0 for a leaf). */
  childCount: Int32Array;
  /** The leaf holding each point. */
  readonly leafOf: Int32Array;
  /** Traversal stack, large enough for any tree of this size. */
  stack: Int32Array;

  readonly #order: Int32Array;
  readonly #buffer: Int32Array;
  readonly #codes: Uint8Array;
  readonly #bounds: Float64Array; // per depth: lo[dims], hi[dims]
  readonly #counts: Int32Array; // per depth: sizes[cells], offsets[cells + 1]
  readonly #diff: Float64Array;
  #y: Float64Array = new Float64Array(0);

  constructor(n: number, dims: number) {
    this.n = n;
    this.dims = dims;
    const capacity = Math.max(16, 3 * n);
    this.count = new Int32Array(capacity);
    this.com = new Float64Array(capacity * dims);
    this.width2 = new Float64Array(capacity);
    this.firstChild = new Int32Array(capacity);
    this.childCount = new Int32Array(capacity);
    this.stack = new Int32Array(capacity + 1);
    this.leafOf = new Int32Array(n);
    this.#order = new Int32Array(n);
    this.#buffer = new Int32Array(n);
    this.#codes = new Uint8Array(n);
    const cells = 1 << dims;
    this.#bounds = new Float64Array((MAX_DEPTH + 2) * 2 * dims);
    this.#counts = new Int32Array((MAX_DEPTH + 2) * (2 * cells + 1));
    this.#diff = new Float64Array(dims);
  }

  /** Rebuilds the tree over `y` (n × dims, row-major). */
  build(y: Float64Array): void {
    const { n, dims } = this;
    this.#y = y;
    for (let i = 0; i < n; i++) this.#order[i] = i;
    const b = this.#bounds;
    for (let d = 0; d < dims; d++) {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = y[i * dims + d];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const pad = Math.max((hi - lo) * 1e-6, 1e-12);
      b[d] = lo - pad;
      b[dims + d] = hi + pad;
    }
    this.nodes = 1;
    this.#build(0, 0, n, 0);
  }

  #grow(needed: number): void {
    if (needed <= this.count.length) return;
    const cap = Math.max(needed, 2 * this.count.length);
    const grow = <T extends Int32Array | Float64Array>(a: T, per: number): T => {
      const c = new (a.constructor as { new (k: number): T })(cap * per);
      c.set(a);
      return c;
    };
    this.count = grow(this.count, 1);
    this.com = grow(this.com, this.dims);
    this.width2 = grow(this.width2, 1);
    this.firstChild = grow(this.firstChild, 1);
    this.childCount = grow(this.childCount, 1);
    this.stack = new Int32Array(cap + 1);
  }

  #build(node: number, start: number, end: number, depth: number): void {
    const dims = this.dims, y = this.#y, order = this.#order, b = this.#bounds;
    const bo = depth * 2 * dims; // this node's box: b[bo + d] .. b[bo + dims + d]
    const n = end - start;
    this.count[node] = n;
    let w2 = 0;
    for (let d = 0; d < dims; d++) {
      let s = 0;
      for (let k = start; k < end; k++) s += y[order[k] * dims + d];
      this.com[node * dims + d] = s / n;
      const w = b[bo + dims + d] - b[bo + d];
      if (w * w > w2) w2 = w * w;
    }
    this.width2[node] = w2;
    this.childCount[node] = 0;
    let same = true;
    const first = order[start] * dims;
    for (let k = start + 1; k < end && same; k++) {
      const o = order[k] * dims;
      for (let d = 0; d < dims; d++) if (y[o + d] !== y[first + d]) same = false;
    }
    if (n === 1 || same || depth >= MAX_DEPTH) {
      for (let k = start; k < end; k++) this.leafOf[order[k]] = node;
      return;
    }
    // Bucket the points by orthant around the box centre (counting sort through `buffer`).
    const cells = 1 << dims;
    const co = depth * (2 * cells + 1); // sizes at co .. co + cells, offsets after them
    const counts = this.#counts, codes = this.#codes, buffer = this.#buffer;
    for (let c = 0; c < cells; c++) counts[co + c] = 0;
    for (let k = start; k < end; k++) {
      const o = order[k] * dims;
      let c = 0;
      for (let d = 0; d < dims; d++) {
        if (y[o + d] >= 0.5 * (b[bo + d] + b[bo + dims + d])) c |= 1 << d;
      }
      codes[k] = c;
      counts[co + c]++;
    }
    const off = co + cells;
    counts[off] = 0;
    for (let c = 0; c < cells; c++) counts[off + c + 1] = counts[off + c] + counts[co + c];
    for (let c = 0; c < cells; c++) counts[co + c] = counts[off + c]; // reuse sizes as cursors
    for (let k = start; k < end; k++) buffer[start + counts[co + codes[k]]++] = order[k];
    order.set(buffer.subarray(start, end), start);
    let used = 0;
    for (let c = 0; c < cells; c++) if (counts[off + c + 1] > counts[off + c]) used++;
    const firstChild = this.nodes;
    this.#grow(this.nodes + used);
    this.nodes += used;
    this.firstChild[node] = firstChild;
    this.childCount[node] = used;
    let child = firstChild;
    const cb = bo + 2 * dims; // the child's box slot (depth + 1)
    for (let c = 0; c < cells; c++) {
      const s = counts[off + c], e = counts[off + c + 1];
      if (e === s) continue;
      for (let d = 0; d < dims; d++) {
        const mid = 0.5 * (b[bo + d] + b[bo + dims + d]);
        const upper = (c >> d) & 1;
        b[cb + d] = upper ? mid : b[bo + d];
        b[cb + dims + d] = upper ? b[bo + dims + d] : mid;
      }
      this.#build(child++, start + s, start + e, depth + 1);
    }
  }

  /**
   * Adds to `neg[at .. at + dims)` the approximate repulsive force on point i,
   * Σ_j q_ij² (y_i − y_j) with unnormalised Student-t q_ij, and returns Σ_j q_ij (j ≠ i).
   */
  repulsion(i: number, theta2: number, dof: number, neg: Float64Array, at: number): number {
    if (this.dims === 2 && dof === 1) return this.#repulsion2d(i, theta2, neg, at);
    const dims = this.dims, y = this.#y, diff = this.#diff, stack = this.stack;
    const count = this.count, com = this.com, width2 = this.width2;
    const firstChild = this.firstChild, childCount = this.childCount, own = this.leafOf[i];
    const exponent = (dof + 1) / 2, yi = i * dims;
    let sumQ = 0, top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top];
      let size = count[node];
      let d2 = 0;
      if (node === own) {
        // The leaf holding i: only the other points in it (duplicates of i, or points merged
        // at the depth limit) count, around their own centre of mass.
        size -= 1;
        if (size === 0) continue;
        for (let d = 0; d < dims; d++) {
          const others = (com[node * dims + d] * (size + 1) - y[yi + d]) / size;
          diff[d] = y[yi + d] - others;
          d2 += diff[d] * diff[d];
        }
      } else {
        for (let d = 0; d < dims; d++) {
          diff[d] = y[yi + d] - com[node * dims + d];
          d2 += diff[d] * diff[d];
        }
        if (childCount[node] > 0 && !(width2[node] < theta2 * d2)) {
          const f = firstChild[node];
          for (let c = childCount[node] - 1; c >= 0; c--) stack[top++] = f + c;
          continue;
        }
      }
      let q = dof / (dof + d2);
      if (dof !== 1) q = q ** exponent;
      sumQ += size * q;
      const mult = size * q * q;
      for (let d = 0; d < dims; d++) neg[at + d] += mult * diff[d];
    }
    return sumQ;
  }

  /** {@linkcode SpaceTree.repulsion} unrolled for the common case of 2 dimensions, dof 1. */
  #repulsion2d(i: number, theta2: number, neg: Float64Array, at: number): number {
    const y = this.#y, stack = this.stack, count = this.count, com = this.com;
    const width2 = this.width2, firstChild = this.firstChild, childCount = this.childCount;
    const own = this.leafOf[i], x0 = y[2 * i], x1 = y[2 * i + 1];
    let sumQ = 0, f0 = 0, f1 = 0, top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top];
      let size = count[node], d0: number, d1: number;
      if (node === own) {
        size -= 1;
        if (size === 0) continue;
        d0 = x0 - (com[2 * node] * (size + 1) - x0) / size;
        d1 = x1 - (com[2 * node + 1] * (size + 1) - x1) / size;
      } else {
        d0 = x0 - com[2 * node];
        d1 = x1 - com[2 * node + 1];
        const kids = childCount[node];
        if (kids > 0 && !(width2[node] < theta2 * (d0 * d0 + d1 * d1))) {
          const f = firstChild[node];
          for (let c = kids - 1; c >= 0; c--) stack[top++] = f + c;
          continue;
        }
      }
      const q = 1 / (1 + d0 * d0 + d1 * d1);
      sumQ += size * q;
      const mult = size * q * q;
      f0 += mult * d0;
      f1 += mult * d1;
    }
    neg[at] += f0;
    neg[at + 1] += f1;
    return sumQ;
  }
}
