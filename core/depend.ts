/**
 * @fileoverview mon's dependency expressions (`depend`, `alertdepend`,
 * `monitordepend`, `hostdepend`), parsed by a small recursive-descent parser
 * and evaluated over an `isOk(term)` callback: never an eval.
 *
 * Grammar (Perl's precedence: `!` > `&&` > `||` > `not` > `and` > `or`):
 *   or      := and ( "or" and )*
 *   and     := not ( "and" not )*
 *   not     := "not" not | lor
 *   lor     := land ( "||" land )*
 *   land    := unary ( "&&" unary )*
 *   unary   := "!" unary | "(" or ")" | TERM | "1" | "0"
 *   TERM    := [a-zA-Z0-9_.-]+ ":" [a-zA-Z0-9_.-]+
 * Two operands side by side (`routers:ping serversbd2:ping`, as in mon's own
 * example.cf) are AND-ed: mon turns that into `1 1`, a Perl syntax error, and
 * then suppresses the service's alerts forever (BUG); `implicitAnd` tells the
 * caller so it can say so.
 */

export type DependAst =
  | { op: 'term'; group: string; service: string; text: string }
  | { op: 'const'; value: boolean }
  | { op: 'not'; arg: DependAst }
  | { op: 'and' | 'or'; args: DependAst[] };

export interface ParsedDepend {
  ast: DependAst;
  /** Every `group:service` term, in order of appearance, without duplicates. */
  terms: string[];
  /** Operands were juxtaposed without an operator (mon BUG; AND-ed here). */
  implicitAnd: boolean;
}

const TOKEN = /\s*(&&|\|\||!|\(|\)|[a-zA-Z0-9_.-]+:[a-zA-Z0-9_.-]+|[A-Za-z_]+|\d+|\S)/y;

export class DependSyntaxError extends Error {
  constructor(expr: string, detail: string) {
    super(`bad dependency expression "${expr}": ${detail}; write terms as group:service joined by && || ! and or not ( )`);
    this.name = 'DependSyntaxError';
  }
}

/** Parses `expr`; throws DependSyntaxError with an operator-readable message. */
export function parseDepend(expr: string): ParsedDepend {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(expr); m; m = TOKEN.exec(expr)) tokens.push(m[1]!);
  if (expr.slice(TOKEN.lastIndex).trim() !== '' && tokens.length === 0) throw new DependSyntaxError(expr, 'nothing to read');
  let pos = 0;
  let implicitAnd = false;
  const terms: string[] = [];
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    throw new DependSyntaxError(expr, what);
  };
  const startsOperand = (t: string | undefined) => t !== undefined && (t === '!' || t === '(' || t === 'not' || isTerm(t) || /^\d+$/.test(t));

  const chain = (op: 'and' | 'or', word: string, next: () => DependAst): DependAst => {
    const args = [next()];
    while (peek() === word) {
      pos++;
      args.push(next());
    }
    return args.length === 1 ? args[0]! : { op, args };
  };
  const parseOr = (): DependAst => chain('or', 'or', parseAnd);
  const parseAnd = (): DependAst => chain('and', 'and', parseNot);
  const parseNot = (): DependAst => {
    if (peek() === 'not') {
      pos++;
      return { op: 'not', arg: parseNot() };
    }
    return parseLor();
  };
  const parseLor = (): DependAst => chain('or', '||', parseLand);
  const parseLand = (): DependAst => {
    const args = [parseUnary()];
    for (;;) {
      if (peek() === '&&') {
        pos++;
        args.push(parseUnary());
      } else if (startsOperand(peek()) && peek() !== 'not') {
        implicitAnd = true;
        args.push(parseUnary());
      } else break;
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const parseUnary = (): DependAst => {
    const t = peek();
    if (t === undefined) return fail('it ends where a term was expected');
    pos++;
    if (t === '!') return { op: 'not', arg: parseUnary() };
    if (t === '(') {
      const inner = parseOr();
      if (peek() !== ')') fail('a "(" is not closed');
      pos++;
      return inner;
    }
    if (/^\d+$/.test(t)) return { op: 'const', value: Number(t) !== 0 };
    if (isTerm(t)) {
      const [group, service] = t.split(':') as [string, string];
      if (!terms.includes(t)) terms.push(t);
      return { op: 'term', group, service, text: t };
    }
    return fail(`unexpected "${t}"`);
  };

  const ast = parseOr();
  while (startsOperand(peek())) {
    // `a:b not c:d` and friends: juxtaposed at the lowest level.
    implicitAnd = true;
    const rhs = parseOr();
    return { ast: { op: 'and', args: [ast, rhs] }, terms, implicitAnd };
  }
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]}"`);
  return { ast, terms, implicitAnd };
}

function isTerm(t: string): boolean {
  return /^[a-zA-Z0-9_.-]+:[a-zA-Z0-9_.-]+$/.test(t);
}

/** Evaluates the expression; `isOk(term)` says whether `group:service` counts as up. */
export function evalDepend(ast: DependAst, isOk: (term: string) => boolean): boolean {
  switch (ast.op) {
    case 'term':
      return isOk(ast.text);
    case 'const':
      return ast.value;
    case 'not':
      return !evalDepend(ast.arg, isOk);
    case 'and':
      return ast.args.every((a) => evalDepend(a, isOk));
    case 'or':
      return ast.args.some((a) => evalDepend(a, isOk));
  }
}

/** mon's success states for a parent: OK, and also untested/unknown (so an untested parent counts as up). */
export function parentCountsAsOk(opstatus: number): boolean {
  return opstatus === 1 || opstatus === 2 || opstatus === 3 || opstatus === 5 || opstatus === 7;
}

/**
 * dep_behavior `hm`: the hosts of this run minus every host whose name occurs
 * (as a substring, as mon's `grep /\Qhost\E/` does) in the last summary of a
 * failing parent. `parentFailSummaries` holds those summaries (only of parents
 * that fail now).
 */
export function hmExcludedHosts(hosts: readonly string[], parentFailSummaries: readonly string[]): string[] {
  return hosts.filter((h) => parentFailSummaries.some((s) => s.includes(h)));
}

/** The hosts that stay in the run under `hm`. */
export function hmRemainingHosts(hosts: readonly string[], parentFailSummaries: readonly string[]): string[] {
  const excluded = new Set(hmExcludedHosts(hosts, parentFailSummaries));
  return hosts.filter((h) => !excluded.has(h));
}

/**
 * Whether the dependency of kind `behavior` gates this service's
 * alerts (`a`), monitor runs (`m`) or host list (`hm`): mon's rules for
 * `depend` + `dep_behavior` and the explicit alertdepend/monitordepend/hostdepend.
 */
export function dependFor(
  svc: { depend?: string; depBehavior: 'a' | 'm' | 'hm'; alertdepend?: string; monitordepend?: string; hostdepend?: string },
  what: 'alerts' | 'monitor' | 'hosts',
): string[] {
  const want = what === 'alerts' ? 'a' : what === 'monitor' ? 'm' : 'hm';
  const extra = what === 'alerts' ? svc.alertdepend : what === 'monitor' ? svc.monitordepend : svc.hostdepend;
  const out: string[] = [];
  if (svc.depend && svc.depBehavior === want) out.push(svc.depend);
  if (extra) out.push(extra);
  return out;
}

/**
 * dep_memory (mon's intended behaviour; mon itself never sets the timestamp it
 * compares, a BUG): a parent that failed within `memoryMs` still counts as failed.
 */
export function rememberedOk(isOkNow: boolean, lastFailureAt: number | undefined, memoryMs: number | undefined, now: number): boolean {
  if (!isOkNow) return false;
  if (!memoryMs || lastFailureAt === undefined) return true;
  return now - lastFailureAt >= memoryMs;
}
