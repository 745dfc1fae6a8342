export type TokenType = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | 'end';

export interface Token {
  type: TokenType;
  /** The source text of the token. */
  text: string;
  /** The decoded literal, for strings and numbers. */
  value?: string | number;
  /** 0-based offset in the source. */
  pos: number;
}

// A word is an attribute path, an operator or a keyword; `.name` only follows `]` (`emails[…].value`).
const WORD_START = /[A-Za-z$.]/;
const WORD_CHAR = /[\w$.:-]/;
const NUMBER_CHAR = /[\w.+-]/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export type LexError = (message: string, pos: number) => Error;

/** Splits filter or path text into tokens; always ends with an `end` token. */
export function tokenize(text: string, error: LexError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if ('()[]'.includes(ch)) {
      tokens.push({ type: ch as TokenType, text: ch, pos: i });
      i++;
    } else if (ch === '"') {
      const end = closingQuote(text, i);
      if (end < 0) throw error('unterminated string (no closing ")', i);
      const raw = text.slice(i, end + 1);
      tokens.push({ type: 'string', text: raw, value: decodeString(raw, i, error), pos: i });
      i = end + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const end = scan(text, i + 1, NUMBER_CHAR);
      const raw = text.slice(i, end);
      if (!JSON_NUMBER.test(raw)) throw error(`"${raw}" is not a number`, i);
      tokens.push({ type: 'number', text: raw, value: Number(raw), pos: i });
      i = end;
    } else if (WORD_START.test(ch)) {
      const end = scan(text, i + 1, WORD_CHAR);
      tokens.push({ type: 'word', text: text.slice(i, end), pos: i });
      i = end;
    } else {
      const hint = ch === "'" ? ' (strings use double quotes)' : '';
      throw error(`unexpected character ${JSON.stringify(ch)}${hint}`, i);
    }
  }
  tokens.push({ type: 'end', text: '', pos: text.length });
  return tokens;
}

function scan(text: string, from: number, allowed: RegExp): number {
  let j = from;
  while (j < text.length && allowed.test(text.charAt(j))) j++;
  return j;
}

function closingQuote(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text.charAt(j);
    if (c === '\\') j++;
    else if (c === '"') return j;
  }
  return -1;
}

function decodeString(raw: string, pos: number, error: LexError): string {
  let value: string;
  try {
    value = JSON.parse(raw) as string;
  } catch {
    throw error(`invalid string ${raw} (bad escape or control character)`, pos);
  }
  // No stored value can hold U+0000 (PostgreSQL text cannot) or a lone surrogate (not UTF-8), and
  // SQL cannot be asked about one.
  if (value.includes('\u0000')) throw error(`invalid string ${raw} (U+0000 is not allowed)`, pos);
  if (!value.isWellFormed()) throw error(`invalid string ${raw} (a lone surrogate is not a character)`, pos);
  return value;
}
