import { isUuid, notFound, validationError } from '@elyzor/core';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { authenticate, callerIdOf, ctxOf } from '../http/authenticate.js';
import { toCsv } from '../http/csv.js';
import { sendPage } from '../http/pagination.js';
import { AuditEvent, AuditQuery, errors, ProjectParams } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { listAudit } from '../store/audit.js';
import { DEFAULT_PAGE_SIZE, isStorableDate } from '../store/page.js';

const CSV_COLUMNS = ['id', 'createdAt', 'action', 'actorId', 'targetType', 'targetId', 'outcome', 'count', 'requestId', 'ip', 'changes'] as const;

export function registerAuditList(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/projects/:projectId/audit',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['audit'],
        summary: 'Audit log of the project, newest first; `format=csv` exports the same rows',
        description:
          'Every change to the project, its keys and services (created, updated, rotated, revoked, disabled, enabled, deleted) with actor, request id, source IP and the fields before and after; failed verifications counted per credential, outcome and minute (action `verification.failed`).',
        security: [{ bearer: [] }],
        params: ProjectParams,
        querystring: AuditQuery,
        response: { 200: Type.Array(AuditEvent), ...errors(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const project = await services.projects.require(ctx, request.params.projectId, 'read_audit');
      const { action, keyId, serviceId, from, to, limit, cursor, format } = request.query;
      if (keyId !== undefined && serviceId !== undefined) throw validationError('Filter by keyId or serviceId, not both');
      const targetId = keyId ?? serviceId;
      if (targetId !== undefined && !isUuid(targetId)) throw notFound(keyId !== undefined ? 'Key' : 'Service');
      const bound = (text: string | undefined, name: string): Date | undefined => {
        if (text === undefined) return undefined;
        const date = new Date(text);
        // Years PostgreSQL and JavaScript agree on; anything else is the caller's mistake.
        if (!isStorableDate(date)) throw validationError(`${name} is not a valid date-time`);
        return date;
      };
      const range = { from: bound(from, 'from'), to: bound(to, 'to') };
      await deps.usage.flush();
      const filters = { action, targetId, ...range };
      const pageRequest = { limit: limit ?? DEFAULT_PAGE_SIZE, cursor };
      // The CSV export is a heavy read (bounded per user and in time); a JSON page is not.
      const page =
        format === 'csv'
          ? await deps.heavyReads.run(callerIdOf(request), (db) => listAudit(db, project.id, filters, pageRequest))
          : await listAudit(deps.db, project.id, filters, pageRequest);
      const rows = sendPage(request, reply, page);
      if (format === 'csv') {
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${project.id}.csv"`)
          .send(toCsv(CSV_COLUMNS, rows as unknown as Array<Record<string, unknown>>));
      }
      return rows;
    },
  );
}
