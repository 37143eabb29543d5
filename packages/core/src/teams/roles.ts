/**
 * Roles in a workspace, weakest first. A member's role in a workspace applies to each of its
 * projects, unless a project gives the member a narrower one.
 */
export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A per-project role narrows a workspace role; ownership is of the workspace only. */
export const PROJECT_ROLES = ['admin', 'developer', 'viewer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Whether `role` is `minimum` or stronger. */
export const atLeast = (role: Role, minimum: Role): boolean => RANK[role] >= RANK[minimum];

/**
 * A member's role in one project: the workspace role, or the project's narrower one. A
 * per-project role never widens: a viewer of the workspace stays a viewer whatever a project says.
 * Not a member of the workspace: no role at all.
 */
export function effectiveRole(workspaceRole: Role | null, projectRole: ProjectRole | null): Role | null {
  if (workspaceRole === null) return null;
  if (projectRole === null) return workspaceRole;
  return RANK[projectRole] < RANK[workspaceRole] ? projectRole : workspaceRole;
}
