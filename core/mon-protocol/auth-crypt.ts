/**
 * @fileoverview crypt(3) comparisons for mon passwords: trap passwords and
 * userfile logins (hash given), getpwnam logins (hash from the system's user
 * database). Node has no crypt(3); Perl's is the one mon itself uses, so we
 * ask it. Password, hash and user name go on stdin, never in argv (visible in
 * ps) or through a shell.
 *
 * A Perl costs milliseconds of CPU, and a trap sender repeats the same password
 * with every trap: so a match is remembered (by a SHA-256 of hash and password,
 * never the password itself) and checks of the same pair in flight share one
 * Perl. A mismatch is never remembered: each wrong guess costs a Perl.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

// stdin: hash line, then the password (the rest, one trailing newline dropped).
const CRYPT = 'my $h = <STDIN>; exit 1 unless defined $h; chomp $h; my $p = do { local $/; <STDIN> }; $p = "" unless defined $p; chomp $p; exit 1 if $h eq ""; exit(crypt($p, $h) eq $h ? 0 : 1);';

// stdin: user line, then the password. Perl's getpwnam reads /etc/shadow when run as root. Exit 2: no such user / no usable hash.
const PASSWD = 'my $u = <STDIN>; exit 2 unless defined $u; chomp $u; my $p = do { local $/; <STDIN> }; $p = "" unless defined $p; chomp $p; my $h = (getpwnam($u))[1]; exit 2 unless defined $h && $h ne ""; exit(crypt($p, $h) eq $h ? 0 : 1);';

function perlExit(script: string, input: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('perl', ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'], timeout: 5000 });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Matches remembered, at most this many (the oldest goes first). */
const REMEMBERED = 256;

/** A crypt(3) comparison with memory; `run` is Perl, counted in a test. */
export function cryptVerifier(run: (script: string, input: string) => Promise<number | null> = perlExit): (password: string, hash: string) => Promise<boolean> {
  const matched = new Set<string>();
  const inFlight = new Map<string, Promise<boolean>>();
  return async (password, hash) => {
    if (hash === '' || /[\r\n]/.test(hash)) return false;
    const key = createHash('sha256').update(hash).update('\0').update(password).digest('base64');
    if (matched.has(key)) return true;
    let p = inFlight.get(key);
    if (!p) {
      p = run(CRYPT, `${hash}\n${password}\n`).then((code) => code === 0);
      inFlight.set(key, p);
      void p.then((ok) => {
        inFlight.delete(key);
        if (!ok) return;
        matched.add(key);
        if (matched.size > REMEMBERED) matched.delete(matched.values().next().value!);
      });
    }
    return p;
  };
}

/** crypt(password, hash) === hash, as mon compares. */
export const verifyCrypt = cryptVerifier();

export type SystemPasswordResult = 'ok' | 'bad-password' | 'unknown-user' | 'error';

/** mon's getpwnam authtype: crypt(password, the user's passwd/shadow hash) === hash. */
export async function verifySystemPassword(user: string, password: string): Promise<SystemPasswordResult> {
  if (user === '' || /[\r\n\0]/.test(user)) return 'unknown-user';
  const code = await perlExit(PASSWD, `${user}\n${password}\n`);
  return code === 0 ? 'ok' : code === 1 ? 'bad-password' : code === 2 ? 'unknown-user' : 'error';
}
