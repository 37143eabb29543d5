import type { Role, Workspace } from '@elyzor/sdk';
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { useClient } from './session';
import { allItems } from './all-items';

/** The workspace the person works in (the switcher in the header), and their role there. */
export interface WorkspaceState {
  workspaces: Workspace[];
  current: Workspace | null;
  select(id: string): void;
}

const WorkspaceContext = createContext<WorkspaceState>({ workspaces: [], current: null, select: () => undefined });
const STORAGE = 'elyzor.workspace';

export function WorkspaceProvider({ children }: { children: ReactNode }): ReactNode {
  const client = useClient();
  const { data } = useQuery({ queryKey: ['workspaces'], queryFn: () => allItems(client.workspaces.iterate()) });
  const [chosen, setChosen] = useState<string | null>(() => window.localStorage.getItem(STORAGE));
  const value = useMemo(() => {
    const workspaces = data ?? [];
    const current = workspaces.find((w) => w.id === chosen) ?? workspaces.find((w) => w.personal === true) ?? workspaces[0] ?? null;
    return {
      workspaces,
      current,
      select: (id: string) => {
        window.localStorage.setItem(STORAGE, id);
        setChosen(id);
      },
    };
  }, [data, chosen]);
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export const useWorkspace = (): WorkspaceState => useContext(WorkspaceContext);

/** What the role may do, for showing only the buttons that would work (the API decides anyway). */
export function abilities(role: Role | null | undefined): { write: boolean; admin: boolean } {
  return { write: role === 'owner' || role === 'admin' || role === 'developer', admin: role === 'owner' || role === 'admin' };
}

/** The caller's role in the workspace that holds this project. */
export function useRoleIn(workspaceId: string | undefined): Role | null {
  const { workspaces } = useWorkspace();
  const role = workspaces.find((w) => w.id === workspaceId)?.role;
  return typeof role === 'string' ? (role as Role) : null;
}
