/**
 * @fileoverview crypt(3) comparison for mon trap passwords (auth.cf stores
 * crypt hashes). Node has no crypt(3); Perl's is the one mon itself uses, so
 * we ask it, with the password on stdin (never in argv or a shell).
 */
import { spawn } from 'node:child_process';

const SCRIPT = 'my $p = <STDIN>; $p = "" unless defined $p; chomp $p; exit(crypt($p, $ARGV[0]) eq $ARGV[0] ? 0 : 1);';

export function verifyCrypt(password: string, hash: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('perl', ['-e', SCRIPT, hash], { stdio: ['pipe', 'ignore', 'ignore'], timeout: 5000 });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
    child.stdin.end(password + '\n');
  });
}
