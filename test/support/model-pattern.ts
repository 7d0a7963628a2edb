/**
 * Compiles a `pattern` of an AWS service model into a JavaScript RegExp, or says why it cannot.
 *
 * The model's patterns are meant to be ECMA-262 regular expressions, matched against part of the
 * value, not implicitly anchored (Smithy's pattern trait,
 * https://smithy.io/2.0/spec/constraint-traits.html#pattern-trait: "does not implicitly add a
 * leading ^ or trailing $"). Some botocore patterns were written for Java's java.util.regex,
 * though, so two Java spellings that mean the same thing in JavaScript are rewritten first:
 *
 * - leading inline flags, `(?i)…` → the RegExp flag `i` (also `s`, `m`);
 * - an escaped punctuation character such as `\:`, `\/`, `\ ` or `\-` outside a class → `\xHH`
 *   (Java reads any escaped non-letter as itself; JavaScript's Unicode mode refuses most of them).
 *
 * Every pattern is compiled in Unicode mode (`u`), which `\p{L}` and friends need. Java constructs
 * that JavaScript reads differently without an error are refused rather than guessed at: class
 * intersection (`&&`), a class nested in a class, `\v` (vertical whitespace in Java, one character
 * in JavaScript), inline flags after the start, Java's ASCII-only POSIX classes (`\p{Alpha}`,
 * `\p{Punct}`, … which JavaScript reads as Unicode properties). Java constructs JavaScript lacks
 * (possessive quantifiers, atomic groups, `\A`, `\Z`, `\Q…\E`) fail to compile. Either way
 * the caller gets the reason, never a silently skipped check.
 */

/** A compiled pattern, or the reason it could not be compiled. */
export type CompiledPattern = { ok: true; regex: RegExp } | { ok: false; reason: string };

const cache = new Map<string, CompiledPattern>();

/**
 * Java's POSIX classes (java.util.regex.Pattern: ASCII only) whose names JavaScript reads as a
 * Unicode property, or refuses; `\p{ASCII}` means the same in both and stays.
 */
const JAVA_POSIX_CLASSES = new Set([
  'Lower',
  'Upper',
  'Alpha',
  'Digit',
  'Alnum',
  'Punct',
  'Graph',
  'Print',
  'Blank',
  'Cntrl',
  'XDigit',
  'Space',
]);

/** Translates Java-only spellings (see the file comment); throws when a construct has no safe equivalent. */
function translate(pattern: string): { source: string; flags: string } {
  let flags = 'u';
  let rest = pattern;
  for (let m = /^\(\?([imsx]+)\)/.exec(rest); m; m = /^\(\?([imsx]+)\)/.exec(rest)) {
    if (m[1]!.includes('x')) throw new Error('the inline flag (?x) (comments mode) has no JavaScript equivalent');
    for (const f of m[1]!) if (!flags.includes(f)) flags += f;
    rest = rest.slice(m[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) throw new Error('the pattern ends with a lone backslash');
      i++;
      if (next === 'v') throw new Error('\\v means vertical whitespace in Java but one character in JavaScript');
      const property = /^[pP]\{(\w+)\}/.exec(rest.slice(i));
      if (property && JAVA_POSIX_CLASSES.has(property[1]!)) {
        throw new Error(`\\p{${property[1]}} is an ASCII class in Java but a Unicode property in JavaScript`);
      }
      // Java reads an escaped ASCII non-letter, non-digit as the character itself.
      if (/[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e ]/.test(next) && !(inClass && next === '-') && !/[\\^$.*+?()[\]{}|/]/.test(next)) {
        out += `\\x${next.charCodeAt(0).toString(16).padStart(2, '0')}`;
      } else {
        out += `\\${next}`;
      }
      continue;
    }
    if (inClass) {
      if (c === '[') throw new Error('a class nested in a class is a union in Java and a literal "[" in JavaScript');
      if (c === '&' && rest[i + 1] === '&') throw new Error('"&&" is class intersection in Java and two literal "&" in JavaScript');
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      // A "]" right after "[" or "[^" is a literal in Java and ends an empty class in JavaScript.
      const after = rest.slice(i + 1).startsWith('^') ? 2 : 1;
      if (rest[i + after] === ']') throw new Error('"[]…]" / "[^]…]" start with a literal "]" in Java, an empty class in JavaScript');
    } else if (c === '(' && /^\(\?[imsx-]+[):]/.test(rest.slice(i))) {
      throw new Error('inline flags after the start of the pattern are not supported in JavaScript');
    }
    out += c;
  }
  return { source: out, flags };
}

/** The pattern compiled for `RegExp.prototype.test` (search, not full match), or why it cannot be. */
export function compileModelPattern(pattern: string): CompiledPattern {
  let compiled = cache.get(pattern);
  if (!compiled) {
    try {
      const { source, flags } = translate(pattern);
      compiled = { ok: true, regex: new RegExp(source, flags) };
    } catch (error) {
      compiled = { ok: false, reason: (error as Error).message };
    }
    cache.set(pattern, compiled);
  }
  return compiled;
}
