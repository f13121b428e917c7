/**
 * @fileoverview The SMTP password: from an environment variable or a file, read
 * when the alert is created. Messages name where it was looked for, never its value.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../../core/types.ts';

export interface PasswordSource {
  user?: string;
  passwordEnv?: string;
  passwordFile?: string;
}

/** The password, or undefined when no `user` is set. Throws with an operator-facing message. */
export function readPassword(o: PasswordSource, configDir: string, env: NodeJS.ProcessEnv, log: Logger): string | undefined {
  if (!o.user) {
    if (o.passwordEnv || o.passwordFile) throw new Error('email: passwordEnv/passwordFile is set but "user" is not; give the SMTP login name in "user"');
    return undefined;
  }
  if (o.passwordEnv && o.passwordFile) throw new Error('email: set either passwordEnv or passwordFile, not both');
  if (o.passwordEnv) {
    const v = env[o.passwordEnv];
    if (!v) throw new Error(`email: environment variable ${o.passwordEnv} (passwordEnv) is not set or empty in vigil's environment; set it where vigil is started (systemd: Environment= or EnvironmentFile=)`);
    return v;
  }
  if (o.passwordFile) {
    const file = resolve(configDir, o.passwordFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new Error(`email: cannot read passwordFile ${file} (${code}); check that it exists and that the user vigil runs as may read it`);
    }
    if ((statSync(file).mode & 0o004) !== 0) {
      log.warn({ file }, 'email passwordFile is readable by every user on this machine; chmod 600 it');
    }
    const pass = text.replace(/\r?\n$/, '');
    if (!pass) throw new Error(`email: passwordFile ${file} is empty`);
    return pass;
  }
  throw new Error(`email: "user" is set (${o.user}) but no password source; add passwordEnv: NAME_OF_VARIABLE or passwordFile: /path/to/file`);
}
