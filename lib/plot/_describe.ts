// Text alternatives of figures (private to lib/plot): the numbers and lists a helper writes into
// the description that a screen reader reads, or a reader sees with images off, in place of the
// picture (see `FigureInfo.description`).

const threeDigits = new Intl.NumberFormat("en-US", {
  minimumSignificantDigits: 3,
  maximumSignificantDigits: 3,
});
const whole = new Intl.NumberFormat("en-US");

/**
 * A number as a description gives it: a whole number in full (with thousands separators), any
 * other with 3 significant digits, trailing zeros kept (4.10, 0.750, as the tables print them),
 * and a minus sign for negatives.
 */
export function spoken(value: number): string {
  const text = Number.isInteger(value) ? whole.format(value) : threeDigits.format(value);
  return text.replace("-", "−");
}

/** `items` joined by "; ", the first `max` of them and "and N more" after. */
export function listed(items: string[], max = Infinity): string {
  if (items.length <= max) return items.join("; ");
  return `${items.slice(0, max).join("; ")} and ${items.length - max} more`;
}
