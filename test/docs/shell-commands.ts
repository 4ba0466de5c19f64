/**
 * The shell commands of a Markdown document: every line of every ```sh block (continuations joined,
 * comments dropped) and every inline code span that starts with `aws `, split into words as a POSIX shell
 * would (quotes kept together, then removed).
 */
export interface ShellCommand {
  /** The command as written (one line). */
  readonly text: string;
  /** Leading VAR=value assignments. */
  readonly env: Record<string, string>;
  /** Words with their outer quotes removed. */
  readonly words: string[];
}

const WORD = /(?:[^\s'"]|'[^']*'|"(?:[^"\\]|\\.)*")+/g;

export function shellBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^([ \t]*)```sh\n([\s\S]*?)^[ \t]*```/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) blocks.push(m[2]);
  return blocks;
}

/** Drops a `#` comment that starts outside quotes after whitespace (or at the start). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function unquote(word: string): string {
  return word.replace(
    /'([^']*)'|"((?:[^"\\]|\\.)*)"/g,
    (_m, single?: string, double?: string) => single ?? double ?? "",
  );
}

export function parseCommand(text: string): ShellCommand {
  const words = (text.match(WORD) ?? []).map(unquote);
  const env: Record<string, string> = {};
  while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [k, v] = words.shift()!.split(/=(.*)/s);
    env[k] = v;
  }
  return { text, env, words };
}

export function shellCommands(markdown: string): ShellCommand[] {
  const lines = shellBlocks(markdown).flatMap((block) =>
    block
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => withoutComment(l).trim())
      .filter(Boolean),
  );
  const inline = [...markdown.matchAll(/`(aws [^`]+)`/g)].map((m) => m[1].replace(/\s+/g, " "));
  return [...lines, ...inline].map(parseCommand);
}

/** `<name>` placeholders in a text. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/<([A-Za-z][A-Za-z0-9-]*)>/g)].map((m) => m[1]);
}
