import { ElyzorError } from '@elyzor/sdk';
import { Command } from 'commander';
import { anonymous, baseUrlOf, connect, globalsOf, type GlobalOptions } from '../client.js';
import { configFile, readConfig, updateConfig } from '../config.js';
import { emit, record, warn } from '../output.js';
import { ask, readStdin } from '../prompt.js';

/*
 * `elyzor login`, `register`, `logout`, `whoami`. A login's tokens are kept for that server in
 * the config file (mode 0600); with ELYZOR_ROOT_KEY set, commands act as that root key instead.
 */

interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
}

async function credentialsOf(options: LoginOptions): Promise<{ email: string; password: string }> {
  const email = options.email ?? (await ask('Email: ', { flag: '--email <address>' }));
  const password = options.passwordStdin === true ? await readStdin() : await ask('Password: ', { secret: true, flag: '--password-stdin' });
  return { email, password };
}

function signIn(verb: 'login' | 'register'): (options: LoginOptions, cmd: Command) => Promise<void> {
  return async (options, cmd) => {
    const globals: GlobalOptions = globalsOf(cmd);
    const baseUrl = baseUrlOf(globals);
    const { email, password } = await credentialsOf(options);
    const elyzor = anonymous(globals);
    const login = verb === 'login' ? await elyzor.auth.login(email, password) : await elyzor.auth.register(email, password);
    updateConfig((config) => {
      config.baseUrl = baseUrl;
      config.sessions[baseUrl] = { email: login.user.email, accessToken: login.accessToken, refreshToken: login.refreshToken };
    });
    emit(globals, { baseUrl, user: login.user, configFile: configFile() }, (v) => `${verb === 'login' ? 'logged in' : 'registered and logged in'} to ${v.baseUrl} as ${v.user.email}`);
  };
}

export function authCommands(): Command[] {
  const passwordHelp = 'read the password from stdin (for scripts) instead of asking for it';
  const login = new Command('login')
    .description('log in with email and password; the session is kept in the config file (mode 0600)')
    .option('--email <address>', 'the account (asked for when not given)')
    .option('--password-stdin', passwordHelp)
    .action(signIn('login'));

  const register = new Command('register')
    .description('create an account on the server (when its sign-up is open) and log in')
    .option('--email <address>', 'the account (asked for when not given)')
    .option('--password-stdin', passwordHelp)
    .action(signIn('register'));

  const logout = new Command('logout').description('end the session on the server and forget it here').action(async (_options: object, cmd: Command) => {
    const globals = globalsOf(cmd);
    const baseUrl = baseUrlOf(globals);
    const stored = readConfig().sessions[baseUrl];
    if (stored !== undefined) {
      // The server-side end first; the local copy goes whatever the server says.
      await connect(globals, { ...process.env, ELYZOR_ROOT_KEY: '' })
        .auth.logout()
        .catch((error: unknown) => warn(`the server did not end the session (${error instanceof ElyzorError ? error.code : String(error)}); it is forgotten here all the same`));
      updateConfig((config) => {
        delete config.sessions[baseUrl];
        if (config.baseUrl === baseUrl) delete config.baseUrl;
      });
    }
    emit(globals, { baseUrl, loggedOut: stored !== undefined }, (v) => (v.loggedOut ? `logged out of ${v.baseUrl}` : `not logged in to ${v.baseUrl}`));
  });

  const whoami = new Command('whoami').description('the user the stored session acts as').action(async (_options: object, cmd: Command) => {
    const globals = globalsOf(cmd);
    emit(globals, await connect(globals).auth.me(), (user) => record(user));
  });

  return [login, register, logout, whoami];
}
