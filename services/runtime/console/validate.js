// Inline checks of identifiers before they are sent; the server checks again and is
// authoritative. Messages name the kind of value, never the value.

export function email(value) {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? null : "Not an e-mail address (name@example.com).";
}

/** International (+358 40 123 4567) or national (040 123 4567) format. */
export function phone(value) {
  const compact = value.replace(/[\s\-().]/g, "");
  if (!/^\+?\d+$/.test(compact)) return "A phone number holds digits, spaces and an optional leading +.";
  const digits = compact.replace("+", "").length;
  if (digits < 6 || digits > 15) return "A phone number has 6 to 15 digits.";
  return null;
}

const CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY";
const CENTURY = /^[-+ABCDEFYXWVU]$/;

/** The Finnish henkilötunnus: DDMMYY, century sign, 3 digits, check character. */
export function nationalId(value) {
  const v = value.trim().toUpperCase();
  if (!/^\d{6}.\d{3}[0-9A-Z]$/.test(v) || !CENTURY.test(v[6])) {
    return "A Finnish identity code: DDMMYY, century sign, three digits, check character (131052-308T).";
  }
  const day = Number(v.slice(0, 2));
  const month = Number(v.slice(2, 4));
  if (day < 1 || day > 31 || month < 1 || month > 12) return "The identity code's date is not a date.";
  const n = Number(v.slice(0, 6) + v.slice(7, 10));
  if (CHECK[n % 31] !== v[10]) return "The identity code's check character does not match.";
  return null;
}

export function jurisdiction(value) {
  return value === "" || /^[A-Za-z]{2}$/.test(value) ? null : "Two letters (ISO 3166-1), e.g. FI.";
}
