// Text alternatives of figures (private to lib/plot): the numbers and lists a helper writes into
// the description that a screen reader reads, or a reader sees with images off, in place of the
// picture (see `FigureInfo.description`).

const grouped = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat("en-US");

/**
 * A number as a description gives it: 3 significant digits (a whole number above 999 in full,
 * with thousands separators), a minus sign for negatives.
 */
export function spoken(value: number): string {
  const text = Number.isInteger(value) && Math.abs(value) >= 1000
    ? whole.format(value)
    : grouped.format(value);
  return text.replace("-", "−");
}

/** `items` joined by "; ", the first `max` of them and "and N more" after. */
export function listed(items: string[], max = Infinity): string {
  if (items.length <= max) return items.join("; ");
  return `${items.slice(0, max).join("; ")} and ${items.length - max} more`;
}
