import { ScimError, type ScimType } from './errors.ts';
import { isAttributeName, splitAttributePath, type AttributePath } from './attribute-path.ts';
import { tokenize, type Token } from './filter-lexer.ts';
import type { AttributeTest, CompareOperator, Filter, FilterValue, PatchPath, ValuePathFilter } from './filter-ast.ts';

const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const OPERATOR_LIST = 'eq, ne, co, sw, ew, pr, gt, ge, lt, le';
/** Deepest nesting of "(", "not (" and "[" a filter may have: deeper is refused, never a stack overflow. */
export const maxFilterDepth = 32;
/** Longest filter or path text accepted. */
export const maxFilterLength = 8192;

/**
 * Recursive descent over RFC 7644 §3.4.2.2 with erratum 4670 precedence:
 * attribute operators, then `not`, then `and`, then `or`.
 */
export class FilterParser {
  private readonly subject: 'filter' | 'path';
  private readonly scimType: ScimType;
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(text: string, subject: 'filter' | 'path') {
    this.subject = subject;
    this.scimType = subject === 'filter' ? 'invalidFilter' : 'invalidPath';
    if (text.length > maxFilterLength) throw this.error(`longer than ${maxFilterLength} characters`);
    this.tokens = tokenize(text, (message, pos) => this.error(message, pos));
  }

  parseFilter(): Filter {
    if (this.peek().type === 'end') throw this.error('the filter is empty');
    const filter = this.parseOr(false);
    const rest = this.peek();
    if (rest.type !== 'end') {
      const what = rest.type === ')' ? 'a ")" with no matching "("' : this.describe(rest);
      throw this.error(`expected "and", "or" or the end of the filter, found ${what}`, rest.pos);
    }
    return filter;
  }

  parsePath(): PatchPath {
    const first = this.next();
    if (first.type === 'end') throw this.error('the path is empty');
    if (first.type !== 'word' || first.text.startsWith('.')) {
      throw this.error(`expected an attribute name, found ${this.describe(first)}`, first.pos);
    }
    const path: PatchPath = this.attributePath(first, false);
    if (this.peek().type === '[') {
      const valuePath = this.parseValuePath(path, first);
      path.filter = valuePath.filter;
      const sub = this.peek();
      if (sub.type === 'word' && sub.text.startsWith('.')) path.subAttribute = this.subAttributeName(this.next());
    }
    const rest = this.peek();
    if (rest.type !== 'end') throw this.error(`expected the end of the path, found ${this.describe(rest)}`, rest.pos);
    return path;
  }

  private parseOr(inValuePath: boolean): Filter {
    if (++this.depth > maxFilterDepth) throw this.error(`nested deeper than ${maxFilterDepth} levels`, this.peek().pos);
    try {
      return this.parseOrAt(inValuePath);
    } finally {
      this.depth--;
    }
  }

  private parseOrAt(inValuePath: boolean): Filter {
    let left = this.parseAnd(inValuePath);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): Filter {
    let left = this.parseNot(inValuePath);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot(inValuePath) };
    }
    return left;
  }

  private parseNot(inValuePath: boolean): Filter {
    if (!this.isKeyword(this.peek(), 'not')) return this.parsePrimary(inValuePath);
    this.next();
    const open = this.next();
    if (open.type !== '(') throw this.error(`expected "(" after "not", found ${this.describe(open)}`, open.pos);
    const filter = this.parseOr(inValuePath);
    this.expectClose(')', open);
    return { kind: 'not', filter };
  }

  private parsePrimary(inValuePath: boolean): Filter {
    const token = this.peek();
    if (token.type === '(') {
      this.next();
      const filter = this.parseOr(inValuePath);
      this.expectClose(')', token);
      return filter;
    }
    if (token.type === 'word' && !token.text.startsWith('.')) {
      this.next();
      const path = this.attributePath(token, inValuePath);
      if (this.peek().type !== '[') return this.parseTest(path, token);
      if (inValuePath) throw this.error('value filters cannot be nested', this.peek().pos);
      return this.parseValuePathFilter(path, token);
    }
    const expected = inValuePath ? 'a sub-attribute name, "not" or "("' : 'an attribute name, "not" or "("';
    throw this.error(`expected ${expected}, found ${this.describe(token)}`, token.pos);
  }

  private parseValuePathFilter(path: AttributePath, pathToken: Token): ValuePathFilter {
    const node = this.parseValuePath(path, pathToken);
    const sub = this.peek();
    if (sub.type === 'word' && sub.text.startsWith('.')) {
      this.next();
      node.subFilter = this.parseTest({ attribute: this.subAttributeName(sub) }, sub);
    }
    return node;
  }

  private parseValuePath(path: AttributePath, pathToken: Token): ValuePathFilter {
    if (path.subAttribute !== undefined) {
      throw this.error(`"${pathToken.text}" is a sub-attribute; a "[filter]" goes on the multi-valued attribute`, pathToken.pos);
    }
    const open = this.next();
    if (this.peek().type === ']') throw this.error('the value filter "[]" is empty', open.pos);
    const filter = this.parseOr(true);
    this.expectClose(']', open);
    return { kind: 'valuePath', path, filter };
  }

  private parseTest(path: AttributePath, pathToken: Token): AttributeTest {
    const opToken = this.next();
    if (opToken.type !== 'word') {
      throw this.error(`expected an operator (${OPERATOR_LIST}) after "${pathToken.text}", found ${this.describe(opToken)}`, opToken.pos);
    }
    const op = opToken.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPERATORS.has(op)) {
      throw this.error(`unknown operator "${opToken.text}" after "${pathToken.text}"; expected one of ${OPERATOR_LIST}`, opToken.pos);
    }
    const valueToken = this.next();
    const value = this.literal(valueToken);
    if (value === undefined) {
      throw this.error(`expected a value ("string", number, true, false or null) after "${opToken.text}", found ${this.describe(valueToken)}`, valueToken.pos);
    }
    this.checkOperand(op as CompareOperator, value, opToken, valueToken);
    return { kind: 'compare', path, op: op as CompareOperator, value };
  }

  private checkOperand(op: CompareOperator, value: FilterValue, opToken: Token, valueToken: Token): void {
    if (op === 'eq' || op === 'ne') return;
    const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
    if (value === null || typeof value === 'boolean' || (!ordering && typeof value === 'number')) {
      const wants = ordering ? 'a string or a number' : 'a string';
      throw this.error(`"${opToken.text}" needs ${wants}, found ${valueToken.text}`, valueToken.pos);
    }
  }

  private literal(token: Token): FilterValue | undefined {
    if (token.type === 'string' || token.type === 'number') return token.value;
    if (token.type !== 'word') return undefined;
    switch (token.text.toLowerCase()) {
      case 'true': return true;
      case 'false': return false;
      case 'null': return null;
      default: return undefined;
    }
  }

  private attributePath(token: Token, inValuePath: boolean): AttributePath {
    if (inValuePath) {
      if (!isAttributeName(token.text)) {
        throw this.error(`expected a sub-attribute name inside "[…]", found "${token.text}"`, token.pos);
      }
      return { attribute: token.text };
    }
    const path = splitAttributePath(token.text);
    if (typeof path === 'string') throw this.error(path, token.pos);
    return path;
  }

  private subAttributeName(token: Token): string {
    const name = token.text.slice(1);
    if (!isAttributeName(name)) throw this.error(`expected a sub-attribute name after "]", found "${token.text}"`, token.pos);
    return name;
  }

  private expectClose(type: ')' | ']', open: Token): void {
    const token = this.next();
    if (token.type !== type) {
      throw this.error(`expected "${type}" to close the "${open.type}" at position ${open.pos + 1}, found ${this.describe(token)}`, token.pos);
    }
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.type === 'word' && token.text.toLowerCase() === keyword;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.endToken();
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private endToken(): Token {
    return { type: 'end', text: '', pos: 0 };
  }

  private describe(token: Token): string {
    return token.type === 'end' ? `the end of the ${this.subject}` : `"${token.text}"`;
  }

  private error(message: string, pos?: number): ScimError {
    const where = pos === undefined ? '' : ` at position ${pos + 1}`;
    return new ScimError(400, `Invalid ${this.subject}${where}: ${message}`, this.scimType);
  }
}
