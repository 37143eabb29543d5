import { Unkey } from '@unkey/api';
import { startApp, type StartOptions, type TestApp, bearer, json, registerUser, type TestUser } from '../test/helpers/harness.js';

/** Every Unkey permission the `/v2` keys face knows, for the root key most suites use. */
export const ALL_API_PERMISSIONS = ['api.*.create_api', 'api.*.read_api', 'api.*.delete_api', 'api.*.create_key', 'api.*.read_key', 'api.*.update_key', 'api.*.delete_key', 'api.*.verify_key'];

/** Unkey's RBAC permissions (`rbac.*.*`); the default root key holds them too (a key's unknown permissions are created on the way). */
export const ALL_RBAC_PERMISSIONS = ['create_permission', 'read_permission', 'delete_permission', 'create_role', 'read_role', 'update_role', 'delete_role', 'add_permission_to_key', 'remove_permission_from_key', 'add_role_to_key', 'remove_role_from_key', 'add_permission_to_role', 'remove_permission_from_role'].map((action) => `rbac.*.${action}`);

/** A real Elyzor on a free port, a person, their workspace and a root key of Unkey's permissions. */
export interface UnkeyWorld {
  server: TestApp;
  baseUrl: string;
  owner: TestUser;
  workspaceId: string;
  rootKey: string;
  /** Unkey's official SDK, pointed at this Elyzor: only `serverURL` differs from Unkey's own setup. */
  unkey: Unkey;
  /** Another root key of the same workspace with these permissions. */
  rootKeyWith(permissions: string[]): Promise<string>;
  /** The SDK with another root key. */
  sdk(rootKey: string): Unkey;
  /** A raw POST to a `/v2` route, for what the SDK cannot send (a missing header, a broken body). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startUnkeyWorld(options: StartOptions = {}): Promise<UnkeyWorld> {
  const server = await startApp(options);
  const baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const owner = await registerUser(server.app);
  const workspaces = json<Array<{ id: string }>>(await server.app.inject({ method: 'GET', url: '/v1/workspaces', headers: bearer(owner.accessToken) }));
  const workspaceId = (workspaces[0] as { id: string }).id;
  const rootKeyWith = async (permissions: string[]): Promise<string> => {
    const response = await server.app.inject({ method: 'POST', url: `/v1/workspaces/${workspaceId}/root-keys`, headers: bearer(owner.accessToken), payload: { name: 'unkey', permissions } });
    if (response.statusCode !== 201) throw new Error(`root key: ${response.statusCode} ${response.body}`);
    return json<{ key: string }>(response).key;
  };
  const rootKey = await rootKeyWith([...ALL_API_PERMISSIONS, ...ALL_RBAC_PERMISSIONS]);
  const sdk = (key: string): Unkey => new Unkey({ rootKey: key, serverURL: baseUrl });
  return {
    server,
    baseUrl,
    owner,
    workspaceId,
    rootKey,
    unkey: sdk(rootKey),
    rootKeyWith,
    sdk,
    post: (path, body, headers = { authorization: `Bearer ${rootKey}` }) =>
      fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    close: () => server.close(),
  };
}
